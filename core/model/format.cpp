// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/format.h"

namespace ws {

Framework frameworkOf(Format format) {
    switch (format) {
        case Format::KerasH5:
        case Format::KerasWeightsH5:
        case Format::KerasV3:
            return Framework::Keras;
        case Format::TorchZip:
        case Format::TorchScript:
        case Format::TorchLegacy:
        case Format::TorchConverted:
            return Framework::PyTorch;
        case Format::Safetensors:  // framework-neutral: names follow whoever wrote it
        case Format::Unknown:
            break;
    }
    return Framework::None;
}

const char* formatName(Format format) {
    switch (format) {
        case Format::KerasH5:
            return "keras-h5";
        case Format::KerasWeightsH5:
            return "keras-weights-h5";
        case Format::KerasV3:
            return "keras-v3";
        case Format::TorchZip:
            return "torch-zip";
        case Format::TorchScript:
            return "torchscript";
        case Format::TorchLegacy:
            return "torch-legacy";
        case Format::Safetensors:
            return "safetensors";
        case Format::TorchConverted:
            return "torch state_dict (converted)";
        case Format::Unknown:
            break;
    }
    return "";
}

}  // namespace ws
