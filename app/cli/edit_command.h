// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `weightsmith-cli edit`: change tensor values and save the model in its own format.
#include <string>
#include <vector>

namespace wscli {

// Runs the subcommand with the arguments after "edit"; returns the exit status (0 ok, 1 the
// input cannot be read / an edit is refused / saving fails, 2 usage error).
int runEdit(const std::vector<std::string>& args);

}  // namespace wscli
