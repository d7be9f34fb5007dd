// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Layer recognition for PyTorch files: every module (a node with tensors directly below it)
// becomes one semantic layer. Its kind comes from the module class when the file pickled whole
// modules ("Linear", "torch.nn.modules.rnn.LSTM"), otherwise from the state_dict names and
// shapes (weight_ih_l0 -> recurrent, gates from weight_ih rows / hidden size; running_mean ->
// BatchNorm; weight rank -> Linear / Conv1d / Conv2d / Conv3d). Kinds use the Keras vocabulary
// (semantic_layer.h) so the rule table applies unchanged; tensor roles are the state_dict
// suffixes ("weight", "weight_ih_l1_reverse"). Order is the file's order; `chain` stays false
// (a state_dict does not say how modules connect).
#include "layers/semantic_layer.h"
#include "model/model.h"

namespace ws::layers {

LayerSet recognizeTorchLayers(const Model& model);

// "Linear" / "torch.nn.modules.conv.Conv2d" -> "Dense" / "Conv2D"; empty when unknown.
std::string kindFromTorchClass(const std::string& className);

}  // namespace ws::layers
