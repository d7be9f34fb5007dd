// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which kind of file a Model was read from, and which framework's conventions (layer names,
// kernel layouts, gate orders) its tensors follow.
namespace ws {

enum class Format {
    Unknown,         // built in memory, or a format without a reader
    KerasH5,         // Keras 1/2/3 full model .h5
    KerasWeightsH5,  // save_weights() .h5 / Keras 3 .weights.h5
    KerasV3,         // Keras 3 native .keras archive
    TorchZip,        // torch.save since 1.6
    TorchScript,     // torch.jit.save archive
    TorchLegacy,     // torch.save before 1.6
    Safetensors,
    TorchConverted,  // a state_dict converted from Keras, not read from a file
};

enum class Framework { None, Keras, PyTorch };

Framework frameworkOf(Format format);

// The short name `inspect` prints and JSON carries ("keras-h5", "torch-zip", ...).
const char* formatName(Format format);

}  // namespace ws
