// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The command line of `weightsmith-cli edit`, parsed without touching any file.
#include <optional>
#include <string>
#include <vector>

namespace wscli {

struct EditStep {
    std::string flag;  // "--set", "--fill", "--scale", "--add", "--zero", "--paste"
    std::string text;  // "PATH[i,j]=V", "PATH[0:2,:]", ...
};

struct EditOptions {
    std::string file;
    std::string output;           // -o OUT (may be FILE)
    std::vector<EditStep> steps;  // in command-line order
    bool legacyAsZip = false;
    bool help = false;
};

// Parses the arguments after "edit". Returns the options, or sets `error` to a one-line
// reason for a usage error (exit code 2).
std::optional<EditOptions> parseEditOptions(const std::vector<std::string>& args,
                                            std::string& error);

extern const char* const kEditUsage;

}  // namespace wscli
