// SPDX-License-Identifier: GPL-3.0-or-later
#include "layers/semantic_layer.h"

namespace ws::layers {

bool hasWeights(const SemanticLayer& layer) { return !layer.tensors.empty(); }

}  // namespace ws::layers
