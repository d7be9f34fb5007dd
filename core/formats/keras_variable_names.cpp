// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/keras_variable_names.h"

#include <cctype>

#include "formats/keras_config.h"

namespace ws::keras {

using nlohmann::json;

static bool flag(const json& config, const char* key, bool fallback) {
    if (!config.is_object()) return fallback;
    auto it = config.find(key);
    return it != config.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::vector<std::string> variableNames(const json& entry) {
    std::string cls = layerClass(entry);
    // QKeras: QDense, QConv2D, QDepthwiseConv2D... create the same variables as their base.
    if (cls.size() > 2 && cls[0] == 'Q' && std::isupper(static_cast<unsigned char>(cls[1])))
        cls = cls.substr(1);
    const json config = entry.is_object() && entry.contains("config") ? entry["config"] : json();
    const bool bias = flag(config, "use_bias", true);
    auto withBias = [&](std::vector<std::string> names) {
        if (bias) names.push_back("bias");
        return names;
    };
    if (cls == "Dense" || cls == "Conv1D" || cls == "Conv2D" || cls == "Conv3D" ||
        cls == "Conv1DTranspose" || cls == "Conv2DTranspose" || cls == "Conv3DTranspose")
        return withBias({"kernel"});
    if (cls == "DepthwiseConv1D" || cls == "DepthwiseConv2D") return withBias({"depthwise_kernel"});
    if (cls == "SeparableConv1D" || cls == "SeparableConv2D")
        return withBias({"depthwise_kernel", "pointwise_kernel"});
    if (cls == "Embedding") return {"embeddings"};
    if (cls == "LSTMCell" || cls == "GRUCell" || cls == "SimpleRNNCell")
        return withBias({"kernel", "recurrent_kernel"});
    if (cls == "BatchNormalization" || cls == "LayerNormalization") {
        std::vector<std::string> names;
        if (flag(config, "scale", true)) names.push_back("gamma");
        if (flag(config, "center", true)) names.push_back("beta");
        if (cls == "BatchNormalization") {
            names.push_back("moving_mean");
            names.push_back("moving_variance");
        }
        return names;
    }
    if (cls == "PReLU") return {"alpha"};
    return {};
}

}  // namespace ws::keras
