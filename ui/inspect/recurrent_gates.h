// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Recognises the fused gate blocks of LSTM and GRU weights so the heatmap can label them.
// PyTorch stacks gates along dim 0 of weight_ih/weight_hh/bias_* (LSTM i,f,g,o; GRU r,z,n);
// Keras 2+ concatenates them along the last axis of kernel/recurrent_kernel/bias (LSTM i,f,c,o;
// GRU z,r,h). Plain C++ (no Qt) so it is unit-testable on its own.
#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"

namespace ws::ui {

struct GateLayout {
    int axis = -1;              // tensor axis split into gate blocks; -1: not a recurrent weight
    std::int64_t gateSize = 0;  // elements per gate block along that axis
    std::vector<std::string> labels;  // one per block, in storage order

    bool valid() const { return axis >= 0 && gateSize > 0; }
};

// The gate layout of a tensor node, or an invalid layout when it is not a fused recurrent
// weight. The gate count comes from the recurrent weight beside it (its rows/columns ratio is 4
// for LSTM, 3 for GRU); the layer class or path name ("lstm", "gru") decides when that is absent.
GateLayout recurrentGateLayout(const Model& model, const Node& tensorNode);

}  // namespace ws::ui
