// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Keras 1 stored recurrent layers as one array per gate (LSTM: W_i, U_i, b_i, W_c, ..., W_f,
// W_o; GRU: W_z, W_r, W_h, ...). Keras 2 concatenates them on load in the order i, f, c, o
// (GRU z, r, h) along the last axis; this does the same so every later step sees Keras 2 roles.
#include "layers/semantic_layer.h"

namespace ws::layers {

// Replaces per-gate roles of an LSTM/GRU layer by assembled "kernel", "recurrent_kernel" and
// "bias" tensors (kept alive in set.builtNodes); marks Keras 1 GRUs reset_after=false. Throws
// FormatError when some gates are present and others missing or their shapes disagree.
void assembleKeras1Gates(SemanticLayer& layer, LayerSet& set);

}  // namespace ws::layers
