// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Keras output shapes along a chain, from the config's input shape: what the conversion needs
// to reorder a Dense kernel after Flatten (the pre-flatten H, W, C) and what the generated
// PyTorch module needs for explicit 'same' padding. Channels-last shapes without the batch
// axis; a layer whose shape cannot be derived leaves it and every later one empty.
#include "layers/semantic_layer.h"

namespace ws::layers {

void inferKerasShapes(LayerSet& set);

// The output shape of one layer for a known input shape; empty when not derivable.
std::vector<std::int64_t> kerasOutputShape(const SemanticLayer& layer,
                                           const std::vector<std::int64_t>& input);

}  // namespace ws::layers
