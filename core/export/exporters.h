// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One writer per export format; export_model.cpp picks one by the output's extension.
#include <string>
#include <utility>
#include <vector>

#include "export/export_model.h"

namespace ws {

class AtomicFile;

struct ExportInput {
    std::vector<const Node*> tensors;  // tensor nodes in tree order
    std::string stem;                  // output file name without folder and extension
};

using ExporterFunction = void (*)(const ExportInput& input, AtomicFile& out, ExportReport& report);

void exportTorchStateDict(const ExportInput& input, AtomicFile& out, ExportReport& report);
void exportSafetensorsFile(const ExportInput& input, AtomicFile& out, ExportReport& report);
void exportNpz(const ExportInput& input, AtomicFile& out, ExportReport& report);
// Keras 2 save_weights layout (.h5): one group per layer / module prefix, names as they are.
void exportKerasWeightsH5(const ExportInput& input, AtomicFile& out, ExportReport& report);

// A Keras 2 full model (`model.save('x.h5')` layout): the architecture JSON in the root's
// model_config attribute, the layers' weights under /model_weights. Used by the generated
// PyTorch -> Keras conversion; layers without weights (Dropout) keep an empty weight list.
struct KerasLayerWeights {
    std::string name;
    std::vector<std::pair<std::string, const Tensor*>> weights;  // "<layer>/kernel:0" -> values
    // Datasets written in the layer's group but not listed in weight_names: Keras and tfjs load
    // by weight_names and ignore them (Weightsmith's own extras, e.g. a PyTorch bias split).
    std::vector<std::pair<std::string, const Tensor*>> unlisted;
};
struct KerasFullModelImage {
    std::string modelConfig;  // JSON text
    std::vector<KerasLayerWeights> layers;
};
void exportKerasFullModelH5(const KerasFullModelImage& model, AtomicFile& out);

// Streams a tensor's elements in C order, little-endian; bf16 widened to float32 when
// widenBf16 (NumPy outputs). Returns the number of bytes it will deliver.
std::uint64_t exportedBytes(const Tensor& tensor, bool widenBf16);
void streamTensor(const Tensor& tensor, bool widenBf16,
                  const std::function<void(const void*, std::size_t)>& sink);

}  // namespace ws
