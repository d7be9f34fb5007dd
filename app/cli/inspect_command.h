// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `weightsmith-cli inspect`: open a model file and report what it holds.
#include <string>
#include <vector>

namespace wscli {

// Runs the subcommand with the arguments after "inspect"; returns the exit status
// (0 ok, 1 unreadable input, 2 usage error). Output goes to stdout, errors to stderr.
int runInspect(const std::vector<std::string>& args);

}  // namespace wscli
