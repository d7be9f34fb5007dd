// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Keras -> PyTorch transfer into a template: the reverse of torch_to_keras_transfer.h. The
// Keras model is converted with the standalone conversion (keras_to_torch.h: one PyTorch module
// per weighted Keras layer, stacked recurrent layers merged into num_layers), its modules are
// paired with the template's weighted modules by order + kind (a mapping overrides pairs:
// {"keras module": "template module"}), every template tensor must receive a converted tensor of
// its shape, and the values are written as edits of the template (saveModel keeps the rest of
// it: other checkpoint entries, optimizer state, pickled module structure).
#include "convert/torch_to_keras_transfer.h"
#include "model/model.h"

namespace ws::convert {

// Throws FormatError naming both modules and shapes on a mismatch; `torch` is then unedited.
TransferResult transferKerasToTorch(const Model& keras, Model& torch,
                                    const TransferOptions& options = TransferOptions());

// Each (converted module -> template module) of `pairs` checked on its own, the way
// transferKerasToTorch checks it; nothing is written. Throws FormatError only when the Keras
// model as a whole cannot be converted.
std::vector<PairVerdict> checkKerasToTorchPairs(const Model& keras, const Model& torch,
                                                const std::map<std::string, std::string>& pairs);

}  // namespace ws::convert
