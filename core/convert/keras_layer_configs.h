// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Keras 2 layer configs (the `{"class_name", "config"}` entries of a model_config) for the
// models Weightsmith generates from PyTorch files (torch_to_keras_model.h). Each builder writes
// the keys Keras 2.15 itself saves, so Keras, tfjs and our own recognition read them back.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ws::convert {

// InputLayer of batch_input_shape (None, shape...); -1 in `shape` is None (a free dimension).
nlohmann::json kerasInputLayer(const std::vector<std::int64_t>& shape);

// Any layer: class_name and config with name, trainable, dtype set, plus `config`'s keys.
nlohmann::json kerasLayer(const std::string& className, const std::string& name,
                          nlohmann::json config = nlohmann::json::object());

nlohmann::json kerasDense(const std::string& name, std::int64_t units, bool useBias);

// Conv1D/2D/3D ('valid' or 'same', channels_last).
nlohmann::json kerasConv(const std::string& name, std::int64_t filters,
                         const std::vector<std::int64_t>& kernel,
                         const std::vector<std::int64_t>& strides,
                         const std::vector<std::int64_t>& dilation, const std::string& padding,
                         bool useBias);

// BatchNormalization on the last axis; momentum in Keras' sense (1 - PyTorch's).
nlohmann::json kerasBatchNorm(const std::string& name, double epsilon, double momentum,
                              bool affine);

// MaxPooling/AveragePooling{1,2,3}D, 'valid'.
nlohmann::json kerasPooling(const std::string& className, const std::string& name,
                            const std::vector<std::int64_t>& pool,
                            const std::vector<std::int64_t>& strides);

// LSTM / GRU (reset_after) / SimpleRNN with torch.nn's activations.
nlohmann::json kerasRecurrent(const std::string& kind, const std::string& name, std::int64_t units,
                              bool useBias, bool returnSequences);

nlohmann::json kerasDropout(const std::string& name, double rate);

}  // namespace ws::convert
