// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Keras activation names and how PyTorch computes the same function. Keras 2 and Keras 3
// define hard_sigmoid differently (clip(0.2x + 0.5, 0, 1) versus relu6(x + 3) / 6), so the
// answer depends on the Keras major version. softmax is left to the caller (its axis depends
// on the tensor layout).
#include <optional>
#include <string>

namespace ws::convert {

struct TorchActivation {
    std::string expression;  // Python over `x` ("torch.relu(x)"); "x" for linear
    std::string note;        // why it deserves a mention in the report, or empty
};

// Null when PyTorch has no counterpart we know of.
std::optional<TorchActivation> torchActivation(const std::string& kerasName, int kerasMajor);

// Whether torch.nn.LSTM/GRU/RNN compute this activation themselves (LSTM/GRU: tanh and
// sigmoid only; RNN: tanh or relu).
bool nativeRecurrentActivations(const std::string& kind, const std::string& activation,
                                const std::string& recurrentActivation);

}  // namespace ws::convert
