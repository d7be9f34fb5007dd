// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading Keras model configs (the `model_config` attribute of .h5 files, config.json of
// .keras archives): layer lists of Sequential/Functional models in every era's layout, layer
// names and classes, and the snake_case names Keras 3 derives from class names.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/node.h"

namespace ws::keras {

// A layer entry's class ("LSTM") and name ("lstm_4"); empty when missing.
std::string layerClass(const nlohmann::json& entry);
std::string layerName(const nlohmann::json& entry);

// The direct layers of a model entry: {"class_name": ..., "config": {"layers": [...]}} or the
// Keras 1 / 2.0 Sequential form {"config": [...]}. Empty when the entry is not a model.
std::vector<const nlohmann::json*> modelLayers(const nlohmann::json& modelEntry);
bool isModelEntry(const nlohmann::json& entry);

// The layer named `name` among the model's layers, searching nested models depth first.
const nlohmann::json* findLayer(const nlohmann::json& modelEntry, const std::string& name);

// Keras' naming.to_snake_case: "LSTM" -> "lstm", "QDense" -> "q_dense",
// "BatchNormalization" -> "batch_normalization", "Conv1D" -> "conv1d".
std::string snakeCase(const std::string& className);

// Sets the node's class and its "class_name" / "config" attributes from a layer entry.
void describeLayer(Node& node, const nlohmann::json& entry);

// Parses JSON text leniently: null json when it is not valid JSON.
nlohmann::json parseJson(const std::string& text);

}  // namespace ws::keras
