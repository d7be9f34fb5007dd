// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// `weightsmith-cli export`: write a model's tensors as a torch state_dict, safetensors, .npz or
// one tensor as .npy.
#include <string>
#include <vector>

namespace wscli {

// Runs the subcommand with the arguments after "export"; returns the exit status (0 ok,
// 1 the input cannot be read or the output cannot be written, 2 usage error).
int runExport(const std::vector<std::string>& args);

}  // namespace wscli
