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

set(WS_PACKAGING_OUT ${PROJECT_BINARY_DIR}/packaging)
set(WS_PACKAGE_MAINTAINER "Weightsmith maintainers <maintainers@users.noreply.r-seed-bb3fbcf5.example>"
    CACHE STRING "Maintainer field of the Debian packages")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)

# Made at configure time (cmake/release.cmake): man pages and metainfo with the version and
# release date, the Debian copyright file from packaging/licenses.json, the Debian changelog
# from CHANGELOG.md.
set(WS_MAN_PAGES weightsmith-cli.1)
if(WS_BUILD_GUI)
  list(APPEND WS_MAN_PAGES weightsmith.1)
endif()
foreach(page IN LISTS WS_MAN_PAGES)
  configure_file(${WS_PACKAGING_DIR}/man/${page}.in ${WS_PACKAGING_OUT}/man/${page} @ONLY)
endforeach()
configure_file(${WS_PACKAGING_DIR}/${WS_APP_ID}.metainfo.xml.in
               ${WS_PACKAGING_OUT}/${WS_APP_ID}.metainfo.xml @ONLY)
ws_write_copyright(${WS_PACKAGING_OUT}/copyright "${WS_PACKAGE_MAINTAINER}")
ws_write_debian_changelog(${WS_PACKAGING_OUT}/changelog.Debian weightsmith
                          ${CPACK_DEBIAN_PACKAGE_RELEASE} "${WS_PACKAGE_MAINTAINER}")

# Man pages and changelogs go in gzipped (Debian policy); -n keeps the name and time out of the
# gzip header so that two builds give the same bytes.
find_program(WS_GZIP gzip REQUIRED)
function(ws_gzip out source)
  add_custom_command(OUTPUT ${out}
    COMMAND ${WS_GZIP} -9 -n -c ${source} > ${out}
    DEPENDS ${source}
    COMMENT "Compressing ${out}"
    VERBATIM)
endfunction()
set(WS_MAN_GZ)
foreach(page IN LISTS WS_MAN_PAGES)
  ws_gzip(${WS_PACKAGING_OUT}/man/${page}.gz ${WS_PACKAGING_OUT}/man/${page})
  list(APPEND WS_MAN_GZ ${WS_PACKAGING_OUT}/man/${page}.gz)
endforeach()
# The upstream changelog is CHANGELOG.md (changelog.gz); the Debian one is changelog.Debian.gz.
ws_gzip(${WS_PACKAGING_OUT}/changelog.gz ${PROJECT_SOURCE_DIR}/CHANGELOG.md)
ws_gzip(${WS_PACKAGING_OUT}/changelog.Debian.gz ${WS_PACKAGING_OUT}/changelog.Debian)
add_custom_target(weightsmith_packaging_files ALL DEPENDS ${WS_MAN_GZ}
  ${WS_PACKAGING_OUT}/changelog.gz ${WS_PACKAGING_OUT}/changelog.Debian.gz)
install(FILES ${WS_MAN_GZ} DESTINATION share/man/man1 COMPONENT app)

# Each package's /usr/share/doc/<package>: the copyright file and both changelogs (Debian
# policy 12.5 and 12.7), the same for both packages, since one copyright file covers both.
set(WS_PACKAGE_DOCS ${WS_PACKAGING_OUT}/copyright ${WS_PACKAGING_OUT}/changelog.gz
    ${WS_PACKAGING_OUT}/changelog.Debian.gz)
install(FILES ${WS_PACKAGE_DOCS} DESTINATION share/doc/weightsmith COMPONENT app)
if(TARGET weightsmith_torch)
  install(FILES ${WS_PACKAGE_DOCS} DESTINATION share/doc/weightsmith-verify
    COMPONENT torch_module)
endif()

# The bundled examples: something to open on first start, and what the package test inspects.
install(FILES
    ${PROJECT_SOURCE_DIR}/resources/examples/seed_lstm_state_dict.pth
    ${PROJECT_SOURCE_DIR}/resources/examples/seed_lstm_model.pth
    ${PROJECT_SOURCE_DIR}/resources/examples/README.md
  DESTINATION share/weightsmith/examples COMPONENT app)

# User documentation. Not LICENSE: the copyright file points to Debian's copy of the GPL
# (/usr/share/common-licenses/GPL-3), as Debian policy asks.
install(FILES
    ${PROJECT_SOURCE_DIR}/README.md
    ${PROJECT_SOURCE_DIR}/docs/editing.md
    ${PROJECT_SOURCE_DIR}/docs/convert.md
    ${PROJECT_SOURCE_DIR}/docs/verify.md
  DESTINATION share/doc/weightsmith COMPONENT app)

# Desktop integration, only with the desktop application.
if(WS_BUILD_GUI)
  install(FILES ${WS_PACKAGING_DIR}/${WS_APP_ID}.desktop
    DESTINATION share/applications COMPONENT app)
  install(FILES ${WS_PACKAGING_OUT}/${WS_APP_ID}.metainfo.xml
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
