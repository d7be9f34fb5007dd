// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What Weightsmith says about itself: its version, its licence, the formats it reads, and the
// libraries it links with their licences and the versions it runs with. The version comes from
// project(VERSION), the licences from packaging/licenses.json (cmake/release.cmake embeds both),
// so `weightsmith-cli --version [--verbose]`, the app's About dialog and the Debian copyright
// file cannot disagree.
#include <string>
#include <vector>

namespace ws::about {

// The version set by project(VERSION) in the top CMakeLists.txt, e.g. "0.1.0".
const char* version();
// The date of that release in CHANGELOG.md, "YYYY-MM-DD".
const char* releaseDate();

struct Project {
    std::string name;       // "Weightsmith"
    std::string copyright;  // "2026 The Weightsmith developers"
    std::string license;    // SPDX expression, "GPL-3.0-or-later"
    std::string homepage;
};
const Project& project();

// A library the programs or the verify module link (packaging/licenses.json "libraries").
struct Library {
    std::string name;       // "Qt 6"
    std::string what;       // what Weightsmith uses it for
    std::string license;    // SPDX expression
    std::string copyright;  // its holders
    std::string url;
    std::string in;           // which of weightsmith, weightsmith-cli, the module link it
    bool compiledIn = false;  // header-only: its code is built into Weightsmith's binaries
};
const std::vector<Library>& libraries();

struct Format {
    std::string name;        // "PyTorch"
    std::string extensions;  // ".pt, .pth"
    std::string what;        // which variants
};
// The weight-file formats Weightsmith opens (the readers in core/formats).
const std::vector<Format>& formatsRead();

// The versions this process runs with: libhdf5's (H5get_libversion, the shared library
// loaded, not the headers built against), zlib's (zlibVersion()), and nlohmann-json's (compiled
// in, so the headers').
std::string hdf5Version();
std::string zlibVersion();
std::string jsonVersion();

// `weightsmith-cli --version --verbose`: the version line, copyright and licence, the formats
// read, the library versions in use (plus `runtime`, lines the caller adds), and the
// third-party licences.
std::string verboseVersionText(const std::string& program,
                               const std::vector<std::string>& runtime = {});

}  // namespace ws::about
