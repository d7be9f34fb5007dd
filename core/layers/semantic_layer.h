// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Semantic layers: a tree's tensors grouped into the layers a framework computes with (kind,
// tensor roles, hyper-parameters). Recognition fills these; the conversion rule table
// (convert/rule_table.h) maps them between Keras and PyTorch.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/node.h"

namespace ws::layers {

// Datasets Weightsmith writes into files for itself start with this (never a Keras weight name).
constexpr const char* kOwnDatasetPrefix = "weightsmith_";

// One layer of a model, in the vocabulary of the framework it came from.
struct SemanticLayer {
    std::string name;         // the layer's name in the file ("lstm_1", "features.0")
    std::string kind;         // canonical kind: "Dense", "Conv2D", "LSTM", ..., or a weightless
                              // kind ("Dropout", "Flatten", "MaxPooling2D", "Activation", ...)
    std::string sourceClass;  // the class as the file spells it ("Bidirectional", "Convolution2D")
    // Tensor role -> node. Keras roles: "kernel", "recurrent_kernel", "bias", "gamma", "beta",
    // "moving_mean", "moving_variance", "embeddings", "depthwise_kernel", "pointwise_kernel";
    // the backward half of a Bidirectional layer is prefixed "backward.". PyTorch roles are the
    // state_dict suffixes ("weight", "weight_ih_l0_reverse").
    std::map<std::string, const Node*> tensors;
    // Weightsmith's own datasets stored beside the layer's weights (names starting with
    // kOwnDatasetPrefix, e.g. convert/rule_table.h's kTorchBiasSplitRole), by the same kind of
    // role: not weights of the framework, so kept out of `tensors` (comparisons, pairings and
    // forward passes see only the framework's weights).
    std::map<std::string, const Node*> extras;
    // Hyper-parameters in Keras spelling: units, filters, kernel_size, strides, padding,
    // dilation_rate, activation, recurrent_activation, use_bias, reset_after, bidirectional,
    // merge_mode, return_sequences, num_layers, epsilon, momentum, center, scale, data_format...
    nlohmann::json params = nlohmann::json::object();
    // Keras (channels-last) shapes without the batch axis; empty when not derivable.
    std::vector<std::int64_t> inputShape, outputShape;
};

// The layers of one model, in execution order when `chain` is true.
struct LayerSet {
    std::string framework;  // "keras" or "torch"
    int kerasMajor = 0;     // 1, 2 or 3 (Keras); 0 unknown
    std::string kerasVersion, backend;
    std::string modelClass;  // "Sequential", "Functional", "Model", "state_dict"
    bool chain = false;      // every layer feeds exactly the next one
    std::string notChainReason;
    std::vector<std::int64_t> inputShape;  // Keras input shape without batch; empty if unknown
    std::vector<SemanticLayer> layers;
    std::vector<std::string> notes;  // what recognition had to guess or could not tell
    // Tensors recognition had to build (Keras 1 per-gate arrays assembled into one kernel);
    // layers' `tensors` may point into these.
    std::vector<std::shared_ptr<Node>> builtNodes;
};

bool hasWeights(const SemanticLayer& layer);

}  // namespace ws::layers
