// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Generated PyTorch source for a converted Keras chain (Sequential or chain-shaped Functional):
// an nn.Module whose load_state_dict(strict=True) accepts the state_dict convertKerasToTorch
// produced. The top-level class takes no constructor arguments and PyTorch's usual layout
// (channels-first images, batch-first sequences); its docstring states the input and output.
// Keras computations torch.nn lacks (Keras 2 hard_sigmoid in an LSTM, relu LSTMs, 'same'
// pooling) are written out in the generated code rather than approximated.
#include <string>

#include "convert/keras_to_torch.h"

namespace ws::convert {

struct EmitOptions {
    std::string className = "ConvertedModel";
    std::string sourceFile;  // named in the docstring
    std::string stateDictFile = "model.pth";
};

// Throws FormatError when some layer of the chain has no generated counterpart yet (the
// message names the layer and why).
std::string emitTorchModule(const KerasToTorchResult& conversion, const EmitOptions& options);

}  // namespace ws::convert
