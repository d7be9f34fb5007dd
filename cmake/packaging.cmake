# SPDX-License-Identifier: GPL-3.0-or-later
# Installation of the data files around the programs, and the Debian packages (CPack DEB):
#
#   cpack -G DEB        (in a build directory; writes weightsmith_<version>_<arch>.deb and,
#                        when the libtorch module is built, weightsmith-verify_<version>_<arch>.deb)
#
# Two packages because libtorch is big and only running models (verify, the forward check after
# a conversion) needs it: `weightsmith` (both programs, desktop integration, man pages) has no
# libtorch dependency and only Recommends `weightsmith-verify` (the dlopen'ed module in
# lib/weightsmith/), which Depends on libtorch. Every ELF file's libraries are still declared in
# its own package's Depends (dpkg-shlibdeps). The install() rules name the components: `app` for
# the programs (app/CMakeLists.txt), `torch_module` for the module (modules/torch_kernels).
# Included at the end of the top CMakeLists.txt, after every install() rule: include(CPack)
# snapshots the list of components.

set(WS_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(WS_APP_ID io.github.weightsmith.Weightsmith)

# Man pages go in gzipped (Debian policy); -n keeps the name and time out of the gzip header so
# that two builds give the same bytes.
find_program(WS_GZIP gzip REQUIRED)
set(WS_MAN_PAGES weightsmith-cli.1)
if(WS_BUILD_GUI)
  list(APPEND WS_MAN_PAGES weightsmith.1)
endif()
set(WS_MAN_GZ)
foreach(page IN LISTS WS_MAN_PAGES)
  set(gz ${PROJECT_BINARY_DIR}/packaging/man/${page}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/packaging/man
    COMMAND ${WS_GZIP} -9 -n -c ${WS_PACKAGING_DIR}/man/${page} > ${gz}
    DEPENDS ${WS_PACKAGING_DIR}/man/${page}
    COMMENT "Compressing man page ${page}"
    VERBATIM)
  list(APPEND WS_MAN_GZ ${gz})
endforeach()
add_custom_target(weightsmith_man_pages ALL DEPENDS ${WS_MAN_GZ})
install(FILES ${WS_MAN_GZ} DESTINATION share/man/man1 COMPONENT app)

# The bundled examples: something to open on first start, and what the package test inspects.
install(FILES
    ${PROJECT_SOURCE_DIR}/resources/examples/seed_lstm_state_dict.pth
    ${PROJECT_SOURCE_DIR}/resources/examples/seed_lstm_model.pth
    ${PROJECT_SOURCE_DIR}/resources/examples/README.md
  DESTINATION share/weightsmith/examples COMPONENT app)

# User documentation. A LICENSE file is installed as soon as the project has one.
install(FILES
    ${PROJECT_SOURCE_DIR}/README.md
    ${PROJECT_SOURCE_DIR}/docs/editing.md
    ${PROJECT_SOURCE_DIR}/docs/convert.md
    ${PROJECT_SOURCE_DIR}/docs/verify.md
  DESTINATION share/doc/weightsmith COMPONENT app)
if(EXISTS ${PROJECT_SOURCE_DIR}/LICENSE)
  install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION share/doc/weightsmith COMPONENT app)
endif()

# Desktop integration, only with the desktop application.
if(WS_BUILD_GUI)
  install(FILES ${WS_PACKAGING_DIR}/${WS_APP_ID}.desktop
    DESTINATION share/applications COMPONENT app)
  install(FILES ${WS_PACKAGING_DIR}/${WS_APP_ID}.metainfo.xml
    DESTINATION share/metainfo COMPONENT app)
  # shared-mime-info reads every package file in share/mime/packages; the name says whose.
  install(FILES ${WS_PACKAGING_DIR}/weightsmith-mime.xml
    DESTINATION share/mime/packages RENAME weightsmith.xml COMPONENT app)
  # The same drawing the window uses (resources/weightsmith.qrc): scalable, and the 256 px
  # rendering for icon themes without SVG support.
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/weightsmith.svg
    DESTINATION share/icons/hicolor/scalable/apps COMPONENT app)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/weightsmith.png
    DESTINATION share/icons/hicolor/256x256/apps COMPONENT app)
endif()

# --- CPack ---------------------------------------------------------------------------------
set(WS_PACKAGE_MAINTAINER "Weightsmith maintainers <maintainers@users.noreply.r-seed-bb3fbcf5.example>"
    CACHE STRING "Maintainer field of the Debian packages")

set(CPACK_PACKAGE_NAME weightsmith)
set(CPACK_PACKAGE_CONTACT "${WS_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/weightsmith/weightsmith")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL app)
if(TARGET weightsmith_torch)
  list(APPEND CPACK_COMPONENTS_ALL torch_module)
endif()

set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(WS_DEB_VERSION "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# dpkg-shlibdeps turns the NEEDED libraries of every binary into Depends (Qt 6, QCustomPlot,
# HDF5, zlib, libstdc++ for the programs; libtorch for the module).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

set(CPACK_DEBIAN_APP_PACKAGE_NAME weightsmith)
set(CPACK_DEBIAN_APP_DESCRIPTION
    "inspector and editor for neural network weight files
Weightsmith opens Keras (.h5, .keras, .weights.h5), PyTorch (.pt, .pth, legacy
and TorchScript) and safetensors weight files as one tree of layers and
tensors, and shows heatmaps, per-channel tiles, histograms and statistics.
It edits tensor values in place, exports to safetensors, PyTorch, NumPy and
Keras weights, and converts between Keras and PyTorch.

PyTorch pickles are read by Weightsmith's own reader, which never executes
code from the file.

This package contains the desktop application weightsmith and the command
line tool weightsmith-cli.")
if(TARGET weightsmith_torch)
  set(CPACK_DEBIAN_APP_PACKAGE_RECOMMENDS "weightsmith-verify (= ${WS_DEB_VERSION})")
endif()

set(CPACK_DEBIAN_TORCH_MODULE_PACKAGE_NAME weightsmith-verify)
set(CPACK_DEBIAN_TORCH_MODULE_PACKAGE_DEPENDS "weightsmith (= ${WS_DEB_VERSION})")
set(CPACK_DEBIAN_TORCH_MODULE_DESCRIPTION
    "forward-pass module for weightsmith-cli verify (libtorch)
The module that runs Keras and PyTorch models on the same seeded input with
libtorch's kernels, so that `weightsmith-cli verify` can prove that a
converted model computes the same function as its source. Weightsmith loads
it only to run models (verify, the forward check after a conversion);
everything else works without libtorch.")

include(CPack)
