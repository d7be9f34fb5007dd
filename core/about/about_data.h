// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The data core/about serves, compiled from the generated about_data.cpp (cmake/release.cmake):
// only about.cpp reads these.

namespace ws::about::data {

extern const char* const kVersion;       // project(VERSION)
extern const char* const kReleaseDate;   // that release's date in CHANGELOG.md, YYYY-MM-DD
extern const char* const kLicensesJson;  // packaging/licenses.json

}  // namespace ws::about::data
