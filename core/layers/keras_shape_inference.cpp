// SPDX-License-Identifier: GPL-3.0-or-later
#include "layers/keras_shape_inference.h"

#include <numeric>

#include "layers/keras_conv_transpose.h"

namespace ws::layers {

using nlohmann::json;

namespace {

std::vector<std::int64_t> ints(const json& p, const char* key, std::size_t n,
                               std::int64_t fallback) {
    std::vector<std::int64_t> out(n, fallback);
    auto it = p.find(key);
    if (it == p.end() || !it->is_array()) return out;
    // Window sizes, strides, dilations and paddings come from the file: anything outside
    // [0, 2^24] is treated as unknown (-1) so that the products below cannot overflow.
    constexpr std::int64_t kLargest = std::int64_t(1) << 24;
    for (std::size_t i = 0; i < n && i < it->size(); ++i)
        if ((*it)[i].is_number_integer()) {
            const std::int64_t v = (*it)[i].get<std::int64_t>();
            out[i] = v >= 0 && v <= kLargest ? v : -1;
        }
    if (it->size() == 1)
        for (std::size_t i = 1; i < n; ++i) out[i] = out[0];
    return out;
}

bool channelsLast(const SemanticLayer& l) {
    return l.params.value("data_format", "channels_last") == "channels_last";
}

// Spatial output size of a window of `k` (already dilated) with stride s.
std::int64_t windowOut(std::int64_t in, std::int64_t k, std::int64_t s,
                       const std::string& padding) {
    if (in < 0 || s <= 0) return -1;
    if (padding == "same") return (in + s - 1) / s;
    if (padding == "causal") return (in + s - 1) / s;
    if (in < k) return -1;
    return (in - k) / s + 1;
}

int spatialRank(const std::string& kind) {
    if (kind.find("1D") != std::string::npos) return 1;
    if (kind.find("2D") != std::string::npos) return 2;
    if (kind.find("3D") != std::string::npos) return 3;
    return 0;
}

}  // namespace

std::vector<std::int64_t> kerasOutputShape(const SemanticLayer& l,
                                           const std::vector<std::int64_t>& in) {
    const std::string& k = l.kind;
    const json& p = l.params;
    if (in.empty()) return {};
    for (auto d : in)
        if (d < 0) return {};
    if (k == "InputLayer" || k == "Dropout" || k == "SpatialDropout1D" || k == "SpatialDropout2D" ||
        k == "Activation" || k == "BatchNormalization" || k == "LayerNormalization" ||
        k == "LeakyReLU" || k == "ReLU" || k == "ELU" || k == "Softmax" || k == "GaussianNoise" ||
        k == "AlphaDropout" || k == "GaussianDropout")
        return in;
    if (k == "Dense") {
        auto out = in;
        out.back() = p.value("units", std::int64_t(-1));
        return out.back() < 0 ? std::vector<std::int64_t>{} : out;
    }
    if (k == "Flatten") {
        return {std::accumulate(in.begin(), in.end(), std::int64_t(1), std::multiplies<>())};
    }
    if (k == "Embedding") {
        auto out = in;
        out.push_back(p.value("output_dim", std::int64_t(-1)));
        return out.back() < 0 ? std::vector<std::int64_t>{} : out;
    }
    if (k == "LSTM" || k == "GRU" || k == "SimpleRNN") {
        if (in.size() != 2) return {};
        std::int64_t units = p.value("units", std::int64_t(-1));
        if (units < 0) return {};
        const bool bi = p.value("bidirectional", false);
        if (bi && p.value("merge_mode", "concat") == "concat") units *= 2;
        if (p.value("return_sequences", false)) return {in[0], units};
        return {units};
    }
    if (k.rfind("Global", 0) == 0) {
        if (!channelsLast(l)) return {};
        if (p.value("keepdims", false)) {
            std::vector<std::int64_t> out(in.size(), 1);
            out.back() = in.back();
            return out;
        }
        return {in.back()};
    }
    const int rank = spatialRank(k);
    if (rank == 0 || !channelsLast(l) || int(in.size()) != rank + 1) return {};
    const std::string padding = p.value("padding", "valid");
    if (k.rfind("MaxPooling", 0) == 0 || k.rfind("AveragePooling", 0) == 0) {
        auto pool = ints(p, "pool_size", std::size_t(rank), 2);
        auto strides = p.contains("strides") && p["strides"].is_array()
                           ? ints(p, "strides", std::size_t(rank), 1)
                           : pool;
        auto out = in;
        for (int i = 0; i < rank; ++i)
            out[std::size_t(i)] = windowOut(in[std::size_t(i)], pool[std::size_t(i)],
                                            strides[std::size_t(i)], padding);
        for (auto d : out)
            if (d < 0) return {};
        return out;
    }
    auto kernel = ints(p, "kernel_size", std::size_t(rank), -1);
    auto strides = ints(p, "strides", std::size_t(rank), 1);
    auto dilation = ints(p, "dilation_rate", std::size_t(rank), 1);
    auto out = in;
    const bool transpose = k.find("Transpose") != std::string::npos;
    for (int i = 0; i < rank; ++i) {
        const std::size_t a = std::size_t(i);
        if (kernel[a] < 0) return {};
        const std::int64_t dk = dilation[a] * (kernel[a] - 1) + 1;
        if (transpose) {
            const bool padded = p.contains("output_padding") && !p["output_padding"].is_null();
            const auto op = padded ? ints(p, "output_padding", std::size_t(rank), 0)
                                   : std::vector<std::int64_t>(std::size_t(rank), -1);
            out[a] = kerasTransposeAxis(in[a], kernel[a], strides[a], dilation[a],
                                        padding == "same", op[a])
                         .length;
        } else {
            out[a] = windowOut(in[a], dk, strides[a], padding);
            if (out[a] < 0) return {};
        }
    }
    if (k == "DepthwiseConv2D")
        out.back() = in.back() * p.value("depth_multiplier", std::int64_t(1));
    else
        out.back() = p.value("filters", std::int64_t(-1));
    return out.back() < 0 ? std::vector<std::int64_t>{} : out;
}

void inferKerasShapes(LayerSet& set) {
    if (!set.chain) return;
    std::vector<std::int64_t> shape = set.inputShape;
    for (SemanticLayer& l : set.layers) {
        l.inputShape = shape;
        l.outputShape = kerasOutputShape(l, shape);
        shape = l.outputShape;
    }
}

}  // namespace ws::layers
