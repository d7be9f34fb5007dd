// SPDX-License-Identifier: GPL-3.0-or-later
#include "about/about.h"

#include <zlib.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "about/about_data.h"
#include "containers/hdf5/hdf5_library.h"

namespace ws::about {

namespace {

const nlohmann::json& licenses() {
    // Checked at configure time (cmake/release.cmake reads the same text).
    static const nlohmann::json parsed = nlohmann::json::parse(data::kLicensesJson);
    return parsed;
}

std::string text(const nlohmann::json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void appendPadded(std::ostringstream& out, const std::string& s, size_t width) {
    out << s;
    if (s.size() < width) out << std::string(width - s.size(), ' ');
}

}  // namespace

const char* version() { return data::kVersion; }

const char* releaseDate() { return data::kReleaseDate; }

const Project& project() {
    static const Project p = [] {
        const nlohmann::json& j = licenses().at("project");
        return Project{text(j, "name"), text(j, "copyright"), text(j, "license"),
                       text(j, "homepage")};
    }();
    return p;
}

const std::vector<Library>& libraries() {
    static const std::vector<Library> list = [] {
        std::vector<Library> out;
        for (const nlohmann::json& j : licenses().at("libraries")) {
            Library lib{text(j, "name"),      text(j, "what"), text(j, "license"),
                        text(j, "copyright"), text(j, "url"),  text(j, "in")};
            lib.compiledIn = j.value("compiled_in", false);
            out.push_back(std::move(lib));
        }
        return out;
    }();
    return list;
}

const std::vector<Format>& formatsRead() {
    static const std::vector<Format> formats = {
        {"Keras HDF5", ".h5, .hdf5, .weights.h5",
         "Keras 1, 2 and 3 full models and weights-only files"},
        {"Keras archive", ".keras", "Keras 3 model archives (config and weights)"},
        {"PyTorch", ".pt, .pth (also .bin, .ckpt)",
         "state dicts, checkpoints, whole pickled models, pre-1.6 legacy files, TorchScript "
         "archives; pickles are read without executing them"},
        {"safetensors", ".safetensors", "tensors and their metadata"},
    };
    return formats;
}

std::string hdf5Version() {
    unsigned major = 0, minor = 0, release = 0;
    h5::Lock lock;
    if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

std::string zlibVersion() { return ::zlibVersion(); }

std::string jsonVersion() {
    return std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
           std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
           std::to_string(NLOHMANN_JSON_VERSION_PATCH);
}

std::string verboseVersionText(const std::string& program,
                               const std::vector<std::string>& runtime) {
    const Project& p = project();
    std::ostringstream out;
    out << program << ' ' << version() << " (released " << releaseDate() << ")\n"
        << "Copyright " << p.copyright << "\n"
        << "License " << p.license
        << ": GNU GPL version 3 or later <https://www.gnu.org/licenses/gpl-3.0.html>.\n"
        << "This is free software: you are free to change and redistribute it.\n"
        << "There is NO WARRANTY, to the extent permitted by law.\n"
        << p.homepage << "\n\nReads:\n";
    size_t nameWidth = 0, extWidth = 0;
    for (const Format& f : formatsRead()) {
        nameWidth = std::max(nameWidth, f.name.size());
        extWidth = std::max(extWidth, f.extensions.size());
    }
    for (const Format& f : formatsRead()) {
        out << "  ";
        appendPadded(out, f.name, nameWidth + 2);
        appendPadded(out, f.extensions, extWidth + 2);
        out << f.what << "\n";
    }
    out << "\nRuns with:\n  HDF5 " << hdf5Version() << "\n  zlib " << zlibVersion()
        << "\n  nlohmann-json " << jsonVersion() << " (compiled in)\n";
    for (const std::string& line : runtime) out << "  " << line << "\n";
    out << "\nThird-party libraries (name, licence, linked by; the notices are in "
           "/usr/share/doc/weightsmith/copyright):\n";
    size_t libWidth = 0, licenseWidth = 0;
    for (const Library& lib : libraries()) {
        libWidth = std::max(libWidth, lib.name.size());
        licenseWidth = std::max(licenseWidth, lib.license.size());
    }
    for (const Library& lib : libraries()) {
        out << "  ";
        appendPadded(out, lib.name, libWidth + 2);
        appendPadded(out, lib.license, licenseWidth + 2);
        out << lib.in << "\n";
    }
    return out.str();
}

}  // namespace ws::about
