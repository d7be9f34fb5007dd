// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `weightsmith-cli convert`: Keras -> PyTorch state_dict, optional generated nn.Module source
// and the mapping report (core/convert/).
#include <string>
#include <vector>

namespace wscli {

// Runs the subcommand with the arguments after "convert"; returns the exit status (0 ok,
// 1 unreadable input, refused conversion or failed write, 2 usage error).
int runConvert(const std::vector<std::string>& args);

}  // namespace wscli
