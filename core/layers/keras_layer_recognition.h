// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Layer recognition for Keras files: the model config (the `model_config` attribute of .h5
// files, config.json of .keras archives, or a companion architecture JSON from model.to_json())
// gives the layers, their order and hyper-parameters; each layer's tensors get roles from their
// weight names. Keras 1 per-gate LSTM arrays are assembled into Keras 2 kernels.
#include <string>

#include <nlohmann/json.hpp>

#include "layers/semantic_layer.h"
#include "model/model.h"

namespace ws::layers {

// The model config the file carries, or null json when it has none.
nlohmann::json kerasModelConfig(const Model& model);

// Throws FormatError when there is no config (neither in the file nor `architecture`) or the
// config is not a model. `architecture` (may be null) overrides the file's own config.
LayerSet recognizeKerasLayers(const Model& model, const nlohmann::json& architecture = nullptr);

// "Convolution2D" -> "Conv2D", "CuDNNLSTM" -> "LSTM", "Dense" -> "Dense"; unknown classes as is.
std::string canonicalKerasKind(const std::string& className);

}  // namespace ws::layers
