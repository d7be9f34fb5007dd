// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Finds and dlopens libweightsmith_torch.so the first time a forward pass is needed. Looked
// for in: $WS_TORCH_MODULE (a file path; when set, the only place), else next to the running
// executable, then
// <executable>/../lib/weightsmith/ (the install layout).
#include <string>

#include "verify/forward_request.h"

namespace ws::verify {

constexpr const char* kTorchModuleFile = "libweightsmith_torch.so";

// Throws FormatError naming every place looked at when the module is missing or stale.
ForwardResult runForward(const ForwardRequest& request);

// Where the module is loaded from (loads it if needed; empty when it cannot be loaded).
std::string loadedTorchModulePath();

}  // namespace ws::verify
