// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A whole pickled nn.Sequential as a Keras Sequential chain: one Keras layer per item, chosen
// by the item's pickled class from a table (Linear -> Dense, Conv2d -> Conv2D, BatchNorm2d ->
// BatchNormalization, MaxPool2d -> MaxPooling2D, AdaptiveAvgPool2d(1) -> global pooling,
// ConvTranspose2d, LayerNorm, Flatten, Dropout, activations folded into the layer before them
// or as their own layer, LeakyReLU / ReLU6 as Keras' own layers), with
// the hyper-parameters the pickle records (kernel_size, stride, padding, eps, momentum, ...).
// PyTorch computes images channels-first (N, C, H, W); the Keras model takes them channels-last
// (N, H, W, C): the chain says so, and a Dense after a Flatten of such a tensor takes its kernel
// rows reordered (the rule table's flattenRows). An item Keras cannot express the same way
// (grouped convolution, asymmetric padding, ceil_mode pooling, ...) is refused by name.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/semantic_layer.h"
#include "model/model.h"

namespace ws::convert {

struct KerasStep {
    nlohmann::json layer;                           // the Keras layer config
    const layers::SemanticLayer* source = nullptr;  // the PyTorch layer whose weights it takes
    std::string sourceLabel;                        // the nn.Sequential item ("0", "fc")
    // A Dense right after a Flatten of a channels-first tensor: the Keras shape before that
    // Flatten (spatial..., C), so its kernel rows are reordered; empty otherwise.
    std::vector<std::int64_t> preFlattenShape;
};

struct KerasChain {
    std::vector<std::int64_t> inputShape;  // channels-last, without batch; -1 = free
    std::vector<KerasStep> steps;
    std::vector<std::string> notes;  // the layout change and the sizes chosen
    std::string inputLayout;         // "NCHW -> NHWC" when the layout changes; else empty
};

// `weighted`: the recognized PyTorch layer of each module node that has tensors. Throws
// FormatError naming the item and what Keras lacks (the caller adds "a template is required").
KerasChain kerasChainOfSequential(
    const Node& sequential, const std::map<const Node*, const layers::SemanticLayer*>& weighted);

// "Conv2d" from a module node's pickled class ("torch.nn.modules.conv.Conv2d").
std::string torchModuleClass(const Node& module);
// A pickled attribute's text ("[3, 3]", "2", "0.1"); empty when absent.
std::string torchAttribute(const Node* module, const std::string& key);

}  // namespace ws::convert
