// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one generic engine that applies a rule-table row (rule_table.h) to a layer's tensors, in
// either direction. It knows the operations (permute, gate reorder, row split, bias sum, flip,
// depthwise reshape, flattened-row reorder), never the layer kinds.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convert/dense_array.h"
#include "convert/rule_table.h"
#include "layers/semantic_layer.h"

namespace ws::convert {

struct EngineOptions {
    // Test-only negative controls: apply a deliberately wrong rule so that tests can prove the
    // forward-pass comparison notices. "gru-no-gate-swap" (GRU gate blocks copied in Keras
    // order), "lstm-bias-copied" (the Keras bias copied into both PyTorch biases instead of
    // splitting the sum as bias + 0).
    std::set<std::string> brokenRules;
};

struct LayerContext {
    std::string torchPrefix;  // "lstm." : prepended to every state_dict name
    int stackIndex = 0;       // {k} in recurrent names: the layer's place in a merged stack
    // Keras (spatial..., C) shape before a Flatten whose channels-first PyTorch counterpart
    // flattens in (C, spatial...) order; empty when no reorder is needed.
    std::vector<std::int64_t> preFlattenShape;
    bool theanoKernels = false;  // the file was written by Keras' Theano backend
};

struct TorchTensor {
    std::string name;  // the state_dict key
    DenseArray array;
    std::string source;     // Keras tensor path(s) it came from
    std::string transform;  // "transpose(1,0), gates i,f,c,o->i,f,g,o", ...
    std::string warning;    // non-empty: something the report must say (a split not used)
};

std::vector<TorchTensor> kerasLayerToTorch(const layers::SemanticLayer& layer,
                                           const LayerRule& rule, const LayerContext& context,
                                           const EngineOptions& options = EngineOptions());

// The inverse: PyTorch tensors by state_dict key -> Keras tensors by role. `kerasParams` gives
// what PyTorch shapes do not say (depth_multiplier, bidirectional). Missing PyTorch tensors
// throw FormatError naming them.
std::map<std::string, DenseArray> torchLayerToKeras(const std::map<std::string, DenseArray>& torch,
                                                    const LayerRule& rule,
                                                    const LayerContext& context,
                                                    const nlohmann::json& kerasParams);

// PyTorch -> Keras: the two PyTorch biases each summed Keras bias is made of, stacked as rows
// (bias_ih, bias_hh) in the Keras bias layout, by role (direction prefix + kTorchBiasSplitRole).
// Empty when the rule sums no biases or the PyTorch layer has none.
std::map<std::string, DenseArray> torchBiasSplits(const std::map<std::string, DenseArray>& torch,
                                                  const LayerRule& rule,
                                                  const LayerContext& context,
                                                  const nlohmann::json& kerasParams);

// "weight_ih_l{k}{dir}" with k=1, reverse -> "weight_ih_l1_reverse".
std::string torchTensorName(const std::string& pattern, int stackIndex, bool reverse);

}  // namespace ws::convert
