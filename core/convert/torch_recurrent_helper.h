// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Python source of the helper classes a generated module may need (torch_module_emitter.h).
namespace ws::convert {

// KerasRecurrent: LSTM/GRU/RNN with arbitrary Keras activations, parameters named exactly as
// torch.nn.LSTM/GRU/RNN name them.
extern const char* const kKerasRecurrentPython;
// SeparableConv2d: depthwise (groups=C) then pointwise 1x1, as Keras' SeparableConv2D.
extern const char* const kSeparableConvPython;

}  // namespace ws::convert
