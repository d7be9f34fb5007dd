// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The two forward-pass implementations inside libweightsmith_torch.so. Each throws
// std::runtime_error naming the step it cannot compute.
#include "verify/forward_request.h"

namespace ws::torchkernels {

// Keras semantics: channels-last tensors, Keras gate orders and activations.
std::vector<verify::Array> runKerasForward(const verify::ForwardRequest& request);
// PyTorch semantics: torch.nn modules computed by their ATen ops (channels-first images).
std::vector<verify::Array> runTorchForward(const verify::ForwardRequest& request);

}  // namespace ws::torchkernels
