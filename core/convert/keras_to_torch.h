// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Standalone Keras -> PyTorch conversion: recognizes the layers, plans the PyTorch modules,
// runs every weighted layer through the rule engine and collects a state_dict (as an in-memory
// Model whose tensor paths are the state_dict keys, ready for exportModel(..., "x.pth")) and
// the mapping report.
//
// state_dict names (documented in docs/convert.md): each weighted Keras layer becomes one
// PyTorch module whose attribute is the Keras layer name made a Python identifier ("dense_1",
// "conv2d"); its tensors keep PyTorch's own names under it ("dense_1.weight",
// "lstm.weight_ih_l1", "bidirectional_1.bias_hh_l0_reverse", "batch_normalization.running_var").
// Stacked recurrent layers merged into one num_layers module take the first layer's name.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convert/convert_engine.h"
#include "convert/torch_plan.h"
#include "layers/semantic_layer.h"
#include "model/model.h"

namespace ws::convert {

struct MappingEntry {
    std::string sourceLayer, sourceClass, kind;  // Keras side
    std::string torchModule, torchPrefix;        // "nn.LSTM", "lstm."
    std::vector<TorchTensor> tensors;            // with source path, transform; arrays dropped
    std::vector<std::string> sourceShapes;       // parallel to tensors: the Keras tensor's shape
    std::vector<std::string> notes;              // activations, merged stacks, eps/momentum
};

struct KerasToTorchOptions {
    nlohmann::json architecture = nullptr;  // companion model.to_json() when the file has none
    PlanOptions plan;
    EngineOptions engine;
};

struct KerasToTorchResult {
    layers::LayerSet layers;
    TorchPlan plan;
    std::unique_ptr<Model> stateDict;  // tensor nodes in state_dict order, path = key
    std::vector<MappingEntry> mapping;
    std::vector<std::string> notes;     // merged stacks and other decisions worth knowing
    std::vector<std::string> warnings;  // reported, never dropped: activations PyTorch lacks...
};

KerasToTorchResult convertKerasToTorch(const Model& keras, const KerasToTorchOptions& options);

// The mapping report as text (one block per layer) and as JSON.
std::string mappingReportText(const KerasToTorchResult& result);
nlohmann::json mappingReportJson(const KerasToTorchResult& result);

}  // namespace ws::convert
