# SPDX-License-Identifier: GPL-3.0-or-later
# What is said about a release, each from its one source:
#
#   the version      project(VERSION) in the top CMakeLists.txt
#   the history      CHANGELOG.md (Keep a Changelog); its newest release must be that version
#   the licences     packaging/licenses.json
#
# and everything made from them, at configure time, into ${PROJECT_BINARY_DIR}/generated and
# ${PROJECT_BINARY_DIR}/packaging:
#
#   generated/about_data.cpp   version, release date and licences.json for core/about (the CLI's
#                              --version [--verbose] and the app's About dialog)
#   packaging/<app id>.metainfo.xml, packaging/man/*.1
#                              from the templates in packaging/ (@PROJECT_VERSION@,
#                              @WS_RELEASE_DATE@, @WS_METAINFO_RELEASES@)
#   packaging/copyright        the Debian copyright file (DEP-5)
#   packaging/changelog.Debian the Debian changelog, one entry per release of CHANGELOG.md
#
# Included right after project(), before the targets that compile the generated source.

set(WS_CHANGELOG ${PROJECT_SOURCE_DIR}/CHANGELOG.md)
set(WS_LICENSES_JSON ${PROJECT_SOURCE_DIR}/packaging/licenses.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${WS_CHANGELOG} ${WS_LICENSES_JSON})
set(WS_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)

# --- CHANGELOG.md --------------------------------------------------------------------------
# Reads the released sections ("## [1.2.3] - 2026-11-29"; "## [Unreleased]" is skipped) with
# their "### Added/Changed/..." lists of "- " items (continued on lines indented by two spaces).
# CMake lists split on ';' and treat '[' ']' specially, so those three are stood in for while
# the text is handled line by line, and restored on output.
function(ws_encode_list_chars out text)
  string(REPLACE ";" "<WS_SEMICOLON>" text "${text}")
  string(REPLACE "[" "<WS_LBRACKET>" text "${text}")
  string(REPLACE "]" "<WS_RBRACKET>" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(ws_decode_list_chars out text)
  string(REPLACE "<WS_SEMICOLON>" ";" text "${text}")
  string(REPLACE "<WS_LBRACKET>" "[" text "${text}")
  string(REPLACE "<WS_RBRACKET>" "]" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Markdown of one list item -> AppStream description markup: XML escaped, `code` -> <code>,
# [text](url) -> text, **strong** / *em* -> <em>.
function(ws_markdown_to_appstream out text)
  ws_decode_list_chars(text "${text}")
  string(REPLACE "&" "&amp;" text "${text}")
  string(REPLACE "<" "&lt;" text "${text}")
  string(REPLACE ">" "&gt;" text "${text}")
  string(REGEX REPLACE "`([^`]+)`" "<code>\\1</code>" text "${text}")
  string(REGEX REPLACE "\\[([^]]+)\\]\\([^)]+\\)" "\\1" text "${text}")
  string(REGEX REPLACE "\\*\\*([^*]+)\\*\\*" "<em>\\1</em>" text "${text}")
  string(REGEX REPLACE "\\*([^* ][^*]*)\\*" "<em>\\1</em>" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# "2026-11-29" -> "Sun, 29 Nov 2026 00:00:00 +0000" (RFC 2822, for the Debian changelog), the
# weekday by Zeller's congruence.
function(ws_rfc2822_date out iso)
  string(REGEX MATCH "^([0-9][0-9][0-9][0-9])-([0-9][0-9])-([0-9][0-9])$" _ "${iso}")
  math(EXPR y "${CMAKE_MATCH_1}")
  math(EXPR m "1${CMAKE_MATCH_2} - 100")
  math(EXPR d "1${CMAKE_MATCH_3} - 100")
  set(months Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)
  math(EXPR mi "${m} - 1")
  list(GET months ${mi} month)
  set(zy ${y})
  set(zm ${m})
  if(m LESS 3)
    math(EXPR zy "${y} - 1")
    math(EXPR zm "${m} + 12")
  endif()
  math(EXPR h "(${d} + (13 * (${zm} + 1)) / 5 + ${zy} % 100 + (${zy} % 100) / 4 + (${zy} / 100) / 4 + 5 * (${zy} / 100)) % 7")
  set(days Sat Sun Mon Tue Wed Thu Fri)
  list(GET days ${h} day)
  if(d LESS 10)
    set(d "0${d}")
  endif()
  set(${out} "${day}, ${d} ${month} ${y} 00:00:00 +0000" PARENT_SCOPE)
endfunction()

file(READ ${WS_CHANGELOG} _ws_changelog)
ws_encode_list_chars(_ws_changelog "${_ws_changelog}")
string(REPLACE "\n" ";" _ws_changelog_lines "${_ws_changelog}")

set(WS_RELEASES)  # versions, newest first
set(_ws_release "")
set(_ws_heading "")
set(_ws_item "")
# Per release R: WS_RELEASE_DATE_<R>, and _ws_items_<R> = "heading|item" entries in order.
macro(_ws_flush_item)
  if(NOT _ws_item STREQUAL "" AND NOT _ws_release STREQUAL "")
    list(APPEND _ws_items_${_ws_release} "${_ws_heading}<WS_SEP>${_ws_item}")
  endif()
  set(_ws_item "")
endmacro()
foreach(line IN LISTS _ws_changelog_lines)
  if(line MATCHES "^## <WS_LBRACKET>([^<]+)<WS_RBRACKET>(.*)$")
    _ws_flush_item()
    set(_ws_version "${CMAKE_MATCH_1}")
    set(_ws_rest "${CMAKE_MATCH_2}")
    if(_ws_version STREQUAL "Unreleased")
      set(_ws_release "")
    elseif(_ws_rest MATCHES "^ - ([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])$")
      set(_ws_release "${_ws_version}")
      set(WS_RELEASE_DATE_${_ws_release} "${CMAKE_MATCH_1}")
      set(_ws_items_${_ws_release})
      list(APPEND WS_RELEASES "${_ws_release}")
    else()
      message(FATAL_ERROR "CHANGELOG.md: '## [${_ws_version}]' needs ' - YYYY-MM-DD' after it")
    endif()
    set(_ws_heading "")
  elseif(line MATCHES "^### (.+)$")
    _ws_flush_item()
    set(_ws_heading "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^- (.+)$")
    _ws_flush_item()
    set(_ws_item "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^  +(.+)$" AND NOT _ws_item STREQUAL "")
    string(APPEND _ws_item " ${CMAKE_MATCH_1}")
  else()
    _ws_flush_item()
  endif()
endforeach()
_ws_flush_item()

if(NOT WS_RELEASES)
  message(FATAL_ERROR "CHANGELOG.md has no released section ('## [X.Y.Z] - YYYY-MM-DD')")
endif()
list(GET WS_RELEASES 0 _ws_newest)
if(NOT _ws_newest STREQUAL PROJECT_VERSION)
  message(FATAL_ERROR
    "project(VERSION ${PROJECT_VERSION}), but the newest release in CHANGELOG.md is "
    "${_ws_newest}. A release changes both: rename '## [Unreleased]' to "
    "'## [${PROJECT_VERSION}] - YYYY-MM-DD' (and start a new empty [Unreleased]).")
endif()
set(WS_RELEASE_DATE "${WS_RELEASE_DATE_${PROJECT_VERSION}}")

# <releases> of the AppStream metainfo: every release, newest first, its items under one
# paragraph per heading.
set(WS_METAINFO_RELEASES "<releases>\n")
foreach(release IN LISTS WS_RELEASES)
  string(APPEND WS_METAINFO_RELEASES
    "    <release version=\"${release}\" date=\"${WS_RELEASE_DATE_${release}}\">\n"
    "      <description>\n")
  set(_ws_open "")
  foreach(entry IN LISTS _ws_items_${release})
    string(REPLACE "<WS_SEP>" ";" entry "${entry}")
    list(GET entry 0 heading)
    list(GET entry 1 item)
    if(NOT heading STREQUAL _ws_open)
      if(NOT _ws_open STREQUAL "")
        string(APPEND WS_METAINFO_RELEASES "        </ul>\n")
      endif()
      ws_markdown_to_appstream(heading_xml "${heading}")
      string(APPEND WS_METAINFO_RELEASES "        <p>${heading_xml}:</p>\n        <ul>\n")
      set(_ws_open "${heading}")
    endif()
    ws_markdown_to_appstream(item_xml "${item}")
    string(APPEND WS_METAINFO_RELEASES "          <li>${item_xml}</li>\n")
  endforeach()
  if(_ws_open STREQUAL "")
    string(APPEND WS_METAINFO_RELEASES "        <p>Release ${release}.</p>\n")
  else()
    string(APPEND WS_METAINFO_RELEASES "        </ul>\n")
  endif()
  string(APPEND WS_METAINFO_RELEASES "      </description>\n    </release>\n")
endforeach()
string(APPEND WS_METAINFO_RELEASES "  </releases>")

# --- packaging/licenses.json ---------------------------------------------------------------
file(READ ${WS_LICENSES_JSON} WS_LICENSES_JSON_TEXT)
string(JSON WS_PROJECT_LICENSE ERROR_VARIABLE _ws_json_error
       GET "${WS_LICENSES_JSON_TEXT}" project license)
if(_ws_json_error)
  message(FATAL_ERROR "packaging/licenses.json: ${_ws_json_error}")
endif()
string(JSON WS_PROJECT_COPYRIGHT GET "${WS_LICENSES_JSON_TEXT}" project copyright)
string(JSON WS_PROJECT_HOMEPAGE GET "${WS_LICENSES_JSON_TEXT}" project homepage)

# The C++ side: core/about reads the same JSON, embedded as a string.
configure_file(${PROJECT_SOURCE_DIR}/core/about/about_data.cpp.in
               ${WS_GENERATED_DIR}/about_data.cpp @ONLY)

# Writes `text` to `path` only when it differs (file(CONFIGURE) would substitute @...@, and the
# texts hold e-mail addresses).
function(ws_write_if_changed path text)
  if(EXISTS ${path})
    file(READ ${path} old)
    if(old STREQUAL text)
      return()
    endif()
  endif()
  file(WRITE ${path} "${text}")
endfunction()

# --- the Debian copyright file (DEP-5) -----------------------------------------------------
# One text field value of a DEP-5 paragraph: continuation lines start with a space, empty
# lines are " .".
function(ws_dep5_lines out json)  # json: a JSON array of strings
  string(JSON n LENGTH "${json}")
  set(text "")
  if(n GREATER 0)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON line GET "${json}" ${i})
      if(line STREQUAL "")
        string(APPEND text "\n .")
      else()
        string(APPEND text "\n ${line}")
      endif()
    endforeach()
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(ws_write_copyright path maintainer)
  set(j "${WS_LICENSES_JSON_TEXT}")
  string(JSON name GET "${j}" project name)
  set(text "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
  string(APPEND text "Upstream-Name: ${name}\n"
                     "Upstream-Contact: ${maintainer}\n"
                     "Source: ${WS_PROJECT_HOMEPAGE}\n"
                     "License: ${WS_PROJECT_LICENSE}\n"
                     "Comment: ${name} as a whole is ${WS_PROJECT_LICENSE}, which the\n"
                     " licences of all the libraries below allow. Each library it links is\n"
                     " installed from its own Debian package (see this package's Depends),\n"
                     " whose copyright file in /usr/share/doc holds the library's notices and\n"
                     " licence texts. A library compiled into ${name}'s programs (header-only)\n"
                     " has its licence text at the end of this file too.\n .\n")
  string(JSON nlib LENGTH "${j}" libraries)
  math(EXPR last "${nlib} - 1")
  set(texts_needed)
  foreach(i RANGE ${last})
    string(JSON lib GET "${j}" libraries ${i})
    string(JSON lname GET "${lib}" name)
    string(JSON llicense GET "${lib}" license)
    string(JSON lcopyright GET "${lib}" copyright)
    string(JSON lurl GET "${lib}" url)
    string(JSON lwhat GET "${lib}" what)
    string(JSON lin GET "${lib}" in)
    string(JSON compiled ERROR_VARIABLE no_flag GET "${lib}" compiled_in)
    string(APPEND text " ${lname}: ${llicense}\n"
                       "   (c) ${lcopyright}, ${lurl}\n"
                       "   for ${lwhat}; linked by ${lin}\n")
    if(compiled STREQUAL "ON")
      list(APPEND texts_needed "${llicense}")
    endif()
  endforeach()
  string(APPEND text " .\n The real test data in the source repository (tests/data/real) is not installed by\n"
                     " these packages; its licences are listed beside it.\n")
  string(JSON nfiles LENGTH "${j}" files)
  math(EXPR last "${nfiles} - 1")
  foreach(i RANGE ${last})
    string(JSON f GET "${j}" files ${i})
    string(JSON ffiles GET "${f}" files)
    string(JSON fcopyright GET "${f}" copyright)
    string(JSON flicense GET "${f}" license)
    string(APPEND text "\nFiles: ${ffiles}\nCopyright: ${fcopyright}\nLicense: ${flicense}\n")
    string(JSON fcomment ERROR_VARIABLE no_comment GET "${f}" comment)
    if(NOT no_comment)
      string(APPEND text "Comment: ${fcomment}\n")
    endif()
    list(APPEND texts_needed "${flicense}")
  endforeach()
  list(REMOVE_DUPLICATES texts_needed)
  foreach(license IN LISTS texts_needed)
    string(JSON body ERROR_VARIABLE missing GET "${j}" licenses "${license}")
    if(missing)
      message(FATAL_ERROR "packaging/licenses.json: no text for licence ${license} under 'licenses'")
    endif()
    ws_dep5_lines(body_text "${body}")
    string(APPEND text "\nLicense: ${license}${body_text}\n")
  endforeach()
  ws_write_if_changed(${path} "${text}")
endfunction()

# --- the Debian changelog ------------------------------------------------------------------
# One entry per release, newest first; the release's items are in the upstream changelog
# (CHANGELOG.md, installed as changelog.gz beside it).
function(ws_write_debian_changelog path package_name debian_revision maintainer)
  set(text "")
  foreach(release IN LISTS WS_RELEASES)
    ws_rfc2822_date(date "${WS_RELEASE_DATE_${release}}")
    string(APPEND text
      "${package_name} (${release}-${debian_revision}) unstable; urgency=medium\n\n"
      "  * Upstream release ${release}; the changes are in changelog.gz.\n\n"
      " -- ${maintainer}  ${date}\n\n")
  endforeach()
  string(REGEX REPLACE "\n\n$" "\n" text "${text}")
  ws_write_if_changed(${path} "${text}")
endfunction()
