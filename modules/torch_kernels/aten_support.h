// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the two forward implementations (included only by keras_forward.cpp and
// torch_forward.cpp: ATen headers are slow to compile). Everything computes in float64 so the
// comparison measures the conversion, not float32 rounding order.
#include <ATen/ATen.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/keras_conv_transpose.h"
#include "verify/forward_request.h"

namespace ws::torchkernels {

using nlohmann::json;

inline at::Tensor toTensor(const verify::Array& a) {
    std::int64_t n = 1;
    for (std::int64_t d : a.shape) n *= d;
    if (n != static_cast<std::int64_t>(a.values.size()))
        throw std::runtime_error("array of shape with " + std::to_string(n) + " elements has " +
                                 std::to_string(a.values.size()) + " values");
    return at::from_blob(const_cast<double*>(a.values.data()), a.shape, at::kDouble).clone();
}

inline verify::Array fromTensor(const at::Tensor& t) {
    const at::Tensor c = t.to(at::kDouble).contiguous();
    verify::Array a;
    a.shape.assign(c.sizes().begin(), c.sizes().end());
    a.values.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    return a;
}

inline const verify::Array& tensorOf(const verify::ForwardStep& step, const std::string& role) {
    auto it = step.tensors.find(role);
    if (it == step.tensors.end())
        throw std::runtime_error("layer '" + step.name + "' (" + step.kind + ") has no '" + role +
                                 "' tensor");
    return it->second;
}

inline bool hasTensor(const verify::ForwardStep& step, const std::string& role) {
    return step.tensors.count(role) > 0;
}

// Keras writes sizes as an int or a list; `rank` values either way.
inline std::vector<std::int64_t> intList(const json& p, const char* key, std::size_t rank,
                                         std::int64_t fallback) {
    std::vector<std::int64_t> out(rank, fallback);
    if (!p.contains(key)) return out;
    const json& v = p[key];
    if (v.is_number_integer()) return std::vector<std::int64_t>(rank, v.get<std::int64_t>());
    if (v.is_array() && v.size() == rank)
        for (std::size_t i = 0; i < rank; ++i) out[i] = v[i].get<std::int64_t>();
    return out;
}

inline std::string text(const json& p, const char* key, const std::string& fallback) {
    return p.contains(key) && p[key].is_string() ? p[key].get<std::string>() : fallback;
}

// A Keras activation by name. `kerasMajor` picks hard_sigmoid's definition: Keras 2
// clip(0.2x + 0.5, 0, 1), Keras 3 relu6(x + 3) / 6. Softmax is over the last axis (Keras'
// default), so callers pass channels-last tensors.
inline at::Tensor activate(const std::string& name, const at::Tensor& x, int kerasMajor) {
    if (name.empty() || name == "linear") return x;
    if (name == "relu") return at::relu(x);
    if (name == "tanh") return at::tanh(x);
    if (name == "sigmoid") return at::sigmoid(x);
    if (name == "softmax") return at::softmax(x, -1);
    if (name == "hard_sigmoid")
        return kerasMajor >= 3 ? at::clamp(x + 3.0, 0.0, 6.0) / 6.0
                               : at::clamp(x * 0.2 + 0.5, 0.0, 1.0);
    if (name == "elu") return at::elu(x);
    if (name == "selu") return at::selu(x);
    if (name == "softplus") return at::softplus(x);
    if (name == "softsign") return x / (x.abs() + 1.0);
    if (name == "swish" || name == "silu") return at::silu(x);
    if (name == "exponential") return at::exp(x);
    throw std::runtime_error("activation '" + name + "' is not implemented by verify yet");
}

// TensorFlow 'same' padding of one axis: (before, after), the extra element after.
inline std::pair<std::int64_t, std::int64_t> samePadding(std::int64_t in, std::int64_t kernel,
                                                         std::int64_t stride,
                                                         std::int64_t dilation) {
    const std::int64_t effective = (kernel - 1) * dilation + 1;
    const std::int64_t out = (in + stride - 1) / stride;
    const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + effective - in, 0);
    return {total / 2, total - total / 2};
}

// Pads the trailing spatial axes of a channels-first tensor (N, C, *spatial) as TF 'same' does.
inline at::Tensor padSame(const at::Tensor& x, const std::vector<std::int64_t>& kernel,
                          const std::vector<std::int64_t>& strides,
                          const std::vector<std::int64_t>& dilation, double value) {
    const std::size_t rank = kernel.size();
    std::vector<std::int64_t> pads;  // constant_pad_nd: last axis first
    for (std::size_t i = rank; i-- > 0;) {
        auto [before, after] = samePadding(x.size(static_cast<std::int64_t>(2 + i)), kernel[i],
                                           strides[i], dilation[i]);
        pads.push_back(before);
        pads.push_back(after);
    }
    return at::constant_pad_nd(x, pads, value);
}

// Keras' Conv2DTranspose output as a window of the full transposed convolution `full`
// (N, C, H, W), from the input's spatial sizes (layers/keras_conv_transpose.h). Where Keras'
// output runs past the full result, zeros are appended when `appendZeros` (the caller adds the
// bias afterwards), else that is an error (a bias already inside `full` would be missing there).
inline at::Tensor kerasTransposeWindow(const at::Tensor& full, const std::vector<std::int64_t>& in,
                                       const std::vector<std::int64_t>& kernel, const json& p,
                                       bool appendZeros, const std::string& name) {
    const std::size_t rank = kernel.size();
    const std::string padding = text(p, "padding", "valid");
    if (padding != "same" && padding != "valid")
        throw std::runtime_error("layer '" + name + "' padding '" + padding + "'");
    const bool padded = p.contains("output_padding") && !p["output_padding"].is_null();
    const auto outputPadding = intList(p, "output_padding", rank, padded ? 0 : -1);
    const auto strides = intList(p, "strides", rank, 1);
    const auto dilation = intList(p, "dilation_rate", rank, 1);
    at::Tensor y = full;
    for (std::size_t i = 0; i < rank; ++i) {
        const auto dim = static_cast<std::int64_t>(2 + i);
        const layers::TransposeAxis a = layers::kerasTransposeAxis(
            in[i], kernel[i], strides[i], dilation[i], padding == "same", outputPadding[i]);
        if (a.full != y.size(dim))
            throw std::runtime_error("layer '" + name + "': transposed convolution length " +
                                     std::to_string(y.size(dim)) + ", expected " +
                                     std::to_string(a.full));
        y = y.narrow(dim, a.before, std::min(a.length, a.full - a.before));
        if (a.trimAfter() >= 0) continue;
        if (!appendZeros)
            throw std::runtime_error("module '" + name +
                                     "': Keras' output is longer than the transposed convolution "
                                     "(kernel smaller than the stride, or output_padding)");
        std::vector<std::int64_t> extra(y.sizes().begin(), y.sizes().end());
        extra[static_cast<std::size_t>(dim)] = -a.trimAfter();
        y = at::cat({y, at::zeros(extra, y.options())}, dim);
    }
    return y;
}

// Channels-last (N, *spatial, C) <-> channels-first (N, C, *spatial).
inline at::Tensor toChannelsFirst(const at::Tensor& x) {
    std::vector<std::int64_t> order{0, x.dim() - 1};
    for (std::int64_t i = 1; i < x.dim() - 1; ++i) order.push_back(i);
    return x.permute(order).contiguous();
}
inline at::Tensor toChannelsLast(const at::Tensor& x) {
    std::vector<std::int64_t> order{0};
    for (std::int64_t i = 2; i < x.dim(); ++i) order.push_back(i);
    order.push_back(1);
    return x.permute(order).contiguous();
}

// Max or average pooling of a channels-first tensor with Keras' padding rules ('same' pads
// with -inf for max; the average divides by the real window size, as Keras does).
inline at::Tensor poolChannelsFirst(const at::Tensor& x, bool isMax, const json& p,
                                    std::size_t rank) {
    auto pool = intList(p, "pool_size", rank, 2);
    auto strides =
        p.contains("strides") && !p["strides"].is_null() ? intList(p, "strides", rank, 1) : pool;
    const bool same = text(p, "padding", "valid") == "same";
    std::vector<std::int64_t> ones(rank, 1), zeros(rank, 0);
    at::Tensor in = x;
    if (same) in = padSame(x, pool, strides, ones, isMax ? -INFINITY : 0.0);
    auto poolOp = [&](const at::Tensor& t) {
        if (rank == 1)
            return isMax ? at::max_pool1d(t, pool, strides) : at::avg_pool1d(t, pool, strides);
        if (rank == 2)
            return isMax ? at::max_pool2d(t, pool, strides) : at::avg_pool2d(t, pool, strides);
        return isMax ? at::max_pool3d(t, pool, strides) : at::avg_pool3d(t, pool, strides);
    };
    at::Tensor y = poolOp(in);
    if (!isMax && same) {  // divide by the number of real (unpadded) elements in each window
        at::Tensor mask = padSame(at::ones_like(x.narrow(1, 0, 1)), pool, strides, ones, 0.0);
        y = y / poolOp(mask);
    }
    return y;
}

}  // namespace ws::torchkernels
