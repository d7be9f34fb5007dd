// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The command line of `weightsmith-cli inspect`, parsed without touching any file.
#include <optional>
#include <string>
#include <vector>

namespace wscli {

struct InspectOptions {
    std::string file;
    bool json = false;
    bool stats = false;
    bool help = false;
    std::optional<std::string> tensorPath;  // --tensor PATH
    std::optional<std::string> npyOut;      // --npy OUT.npy (needs --tensor)
};

// Parses the arguments after "inspect". Returns the options, or sets `error` to a one-line
// reason for a usage error (exit code 2).
std::optional<InspectOptions> parseInspectOptions(const std::vector<std::string>& args,
                                                  std::string& error);

extern const char* const kInspectUsage;

}  // namespace wscli
