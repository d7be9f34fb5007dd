// SPDX-License-Identifier: GPL-3.0-or-later
// Keras semantics with ATen ops: tensors stay channels-last as in Keras; recurrent layers are
// written out step by step with Keras' gate orders (LSTM i,f,c,o; GRU z,r,h) and its own
// activation / recurrent_activation, so nothing depends on torch.nn's conventions.
#include "aten_support.h"
#include "forward_kernels.h"

namespace ws::torchkernels {

namespace {

struct RecurrentWeights {
    at::Tensor kernel, recurrent, bias;  // bias undefined when use_bias=False
};

RecurrentWeights recurrentWeights(const verify::ForwardStep& step, const std::string& prefix) {
    RecurrentWeights w;
    w.kernel = toTensor(tensorOf(step, prefix + "kernel"));
    w.recurrent = toTensor(tensorOf(step, prefix + "recurrent_kernel"));
    if (hasTensor(step, prefix + "bias")) w.bias = toTensor(tensorOf(step, prefix + "bias"));
    return w;
}

// One direction of a Keras LSTM / GRU / SimpleRNN over x (N, T, F), zero initial state.
// Returns (N, T, units) in processing order when returnSequences, else the last state.
at::Tensor kerasRecurrent(const std::string& kind, const at::Tensor& x, const RecurrentWeights& w,
                          const json& p, bool goBackwards, bool returnSequences, int kerasMajor) {
    const std::int64_t units = w.recurrent.size(0);
    const std::string act = text(p, "activation", "tanh");
    const std::string ract =
        text(p, "recurrent_activation", kerasMajor >= 3 ? "sigmoid" : "hard_sigmoid");
    const bool resetAfter = p.value("reset_after", kerasMajor >= 3);
    at::Tensor xs = x.matmul(w.kernel);  // (N, T, gates*units)
    at::Tensor recurrentBias;
    if (w.bias.defined()) {
        if (kind == "GRU" && w.bias.dim() == 2) {  // reset_after: row 0 input, row 1 recurrent
            xs = xs + w.bias[0];
            recurrentBias = w.bias[1];
        } else {
            xs = xs + w.bias;
        }
    }
    if (kind == "GRU" && !resetAfter && recurrentBias.defined())
        throw std::runtime_error("GRU bias of shape (2, 3*units) needs reset_after=True");
    const std::int64_t steps = x.size(1);
    at::Tensor h = at::zeros({x.size(0), units}, x.options());
    at::Tensor c = at::zeros_like(h);
    std::vector<at::Tensor> outputs;
    auto gate = [&](const at::Tensor& t, int k) { return t.narrow(1, k * units, units); };
    for (std::int64_t s = 0; s < steps; ++s) {
        const at::Tensor xt = xs.select(1, goBackwards ? steps - 1 - s : s);
        if (kind == "LSTM") {
            const at::Tensor z = xt + h.matmul(w.recurrent);
            const at::Tensor i = activate(ract, gate(z, 0), kerasMajor);
            const at::Tensor f = activate(ract, gate(z, 1), kerasMajor);
            const at::Tensor g = activate(act, gate(z, 2), kerasMajor);
            const at::Tensor o = activate(ract, gate(z, 3), kerasMajor);
            c = f * c + i * g;
            h = o * activate(act, c, kerasMajor);
        } else if (kind == "GRU") {
            at::Tensor hz, hr, hh;
            if (resetAfter) {
                at::Tensor hm = h.matmul(w.recurrent);
                if (recurrentBias.defined()) hm = hm + recurrentBias;
                hz = gate(hm, 0);
                hr = gate(hm, 1);
                const at::Tensor z = activate(ract, gate(xt, 0) + hz, kerasMajor);
                const at::Tensor r = activate(ract, gate(xt, 1) + hr, kerasMajor);
                const at::Tensor candidate =
                    activate(act, gate(xt, 2) + r * gate(hm, 2), kerasMajor);
                h = z * h + (1 - z) * candidate;
            } else {
                const at::Tensor rk = w.recurrent;
                const at::Tensor z =
                    activate(ract, gate(xt, 0) + h.matmul(rk.narrow(1, 0, units)), kerasMajor);
                const at::Tensor r =
                    activate(ract, gate(xt, 1) + h.matmul(rk.narrow(1, units, units)), kerasMajor);
                const at::Tensor candidate = activate(
                    act, gate(xt, 2) + (r * h).matmul(rk.narrow(1, 2 * units, units)), kerasMajor);
                h = z * h + (1 - z) * candidate;
            }
        } else {  // SimpleRNN
            h = activate(act, xt + h.matmul(w.recurrent), kerasMajor);
        }
        if (returnSequences) outputs.push_back(h);
    }
    return returnSequences ? at::stack(outputs, 1) : h;
}

at::Tensor recurrentLayer(const verify::ForwardStep& step, const at::Tensor& x, const json& p,
                          int kerasMajor) {
    if (x.dim() != 3)
        throw std::runtime_error("recurrent layer '" + step.name +
                                 "' needs (batch, time, features) input");
    const bool returnSequences = p.value("return_sequences", false);
    const bool goBackwards = p.value("go_backwards", false);
    at::Tensor forward = kerasRecurrent(step.kind, x, recurrentWeights(step, ""), p, goBackwards,
                                        returnSequences, kerasMajor);
    if (!p.value("bidirectional", false)) return forward;
    // Bidirectional: the backward layer reads the sequence reversed; its sequence output is
    // flipped back so both halves line up in time.
    at::Tensor backward = kerasRecurrent(step.kind, x, recurrentWeights(step, "backward."), p,
                                         !goBackwards, returnSequences, kerasMajor);
    if (returnSequences) backward = backward.flip({1});
    const std::string merge = text(p, "merge_mode", "concat");
    if (merge == "concat") return at::cat({forward, backward}, -1);
    if (merge == "sum") return forward + backward;
    if (merge == "mul") return forward * backward;
    if (merge == "ave") return (forward + backward) / 2.0;
    throw std::runtime_error("Bidirectional layer '" + step.name + "' merge_mode '" + merge +
                             "' is not implemented by verify");
}

// A convolution kernel as Keras computes with it: loading a Theano-backend file into
// TensorFlow flips the spatial kernel axes (convert_kernel): Theano convolves, TensorFlow
// correlates.
at::Tensor kerasKernel(const verify::ForwardStep& step, const json& p, std::size_t rank) {
    at::Tensor kernel = toTensor(tensorOf(step, "kernel"));
    if (text(p, "keras_backend", "") == "theano") {
        std::vector<std::int64_t> spatial;
        for (std::size_t i = 0; i < rank; ++i) spatial.push_back(static_cast<std::int64_t>(i));
        kernel = kernel.flip(spatial);
    }
    return kernel;
}

void requireChannelsLast(const verify::ForwardStep& step, const json& p) {
    if (text(p, "data_format", "channels_last") != "channels_last")
        throw std::runtime_error("layer '" + step.name + "' is channels_first");
}

// Conv1D/2D/3D, channels-last: (N, *spatial, C_in) with kernel (*k, C_in, C_out).
at::Tensor convolution(const verify::ForwardStep& step, const at::Tensor& x, const json& p,
                       int kerasMajor) {
    const std::size_t rank = static_cast<std::size_t>(step.kind[4] - '0');
    requireChannelsLast(step, p);
    if (p.value("groups", 1) != 1)
        throw std::runtime_error("layer '" + step.name + "' is a grouped convolution");
    const at::Tensor kernel = kerasKernel(step, p, rank);
    if (static_cast<std::size_t>(x.dim()) != rank + 2 ||
        static_cast<std::size_t>(kernel.dim()) != rank + 2)
        throw std::runtime_error("layer '" + step.name + "': input or kernel rank does not fit " +
                                 step.kind);
    // Keras' kernel (*k, in, out) as ATen's weight (out, in, *k); the input likewise moved.
    std::vector<std::int64_t> order{static_cast<std::int64_t>(rank) + 1,
                                    static_cast<std::int64_t>(rank)};
    for (std::size_t i = 0; i < rank; ++i) order.push_back(static_cast<std::int64_t>(i));
    const at::Tensor weight = kernel.permute(order).contiguous();
    at::Tensor bias;
    if (hasTensor(step, "bias")) bias = toTensor(tensorOf(step, "bias"));
    const auto strides = intList(p, "strides", rank, 1);
    const auto dilation = intList(p, "dilation_rate", rank, 1);
    std::vector<std::int64_t> kernelSize(kernel.sizes().begin(), kernel.sizes().begin() + rank);
    at::Tensor in = toChannelsFirst(x);
    const std::string padding = text(p, "padding", "valid");
    if (padding == "same") {
        in = padSame(in, kernelSize, strides, dilation, 0.0);
    } else if (padding == "causal") {
        in = at::constant_pad_nd(in, {(kernelSize[0] - 1) * dilation[0], 0}, 0.0);
    } else if (padding != "valid") {
        throw std::runtime_error("layer '" + step.name + "' padding '" + padding + "'");
    }
    std::vector<std::int64_t> zeros(rank, 0);
    at::Tensor y = at::convolution(in, weight, bias, strides, zeros, dilation, false, zeros, 1);
    return activate(text(p, "activation", "linear"), toChannelsLast(y), kerasMajor);
}

// Conv2DTranspose, DepthwiseConv2D and SeparableConv2D on (N, H, W, C), from Keras' kernels:
// transpose kernel (kh, kw, out, in); depthwise_kernel (kh, kw, C, m), whose output channel
// c*m + j is input channel c through kernel[..., c, j]; pointwise_kernel (1, 1, C*m, F).
at::Tensor convolution2dVariant(const verify::ForwardStep& step, const at::Tensor& x, const json& p,
                                int kerasMajor) {
    requireChannelsLast(step, p);
    if (x.dim() != 4)
        throw std::runtime_error("layer '" + step.name + "' needs (batch, H, W, C) input");
    const auto strides = intList(p, "strides", 2, 1);
    const auto dilation = intList(p, "dilation_rate", 2, 1);
    const std::vector<std::int64_t> zeros{0, 0}, ones{1, 1};
    const at::Tensor bias =
        hasTensor(step, "bias") ? toTensor(tensorOf(step, "bias")) : at::Tensor();
    const at::Tensor in = toChannelsFirst(x);
    at::Tensor y;
    if (step.kind == "Conv2DTranspose") {
        const at::Tensor kernel = kerasKernel(step, p, 2);
        const at::Tensor full = at::convolution(in, kernel.permute({3, 2, 0, 1}), {}, strides,
                                                zeros, dilation, true, zeros, 1);
        y = kerasTransposeWindow(full, {in.size(2), in.size(3)}, {kernel.size(0), kernel.size(1)},
                                 p, true, step.name);
        if (bias.defined()) y = y + bias.view({1, -1, 1, 1});
    } else {
        const at::Tensor dk = toTensor(tensorOf(step, "depthwise_kernel"));
        const std::int64_t channels = dk.size(2), multiplier = dk.size(3);
        const at::Tensor weight =
            dk.permute({2, 3, 0, 1}).reshape({channels * multiplier, 1, dk.size(0), dk.size(1)});
        const std::string padding = text(p, "padding", "valid");
        if (padding != "same" && padding != "valid")
            throw std::runtime_error("layer '" + step.name + "' padding '" + padding + "'");
        const at::Tensor padded =
            padding == "same" ? padSame(in, {dk.size(0), dk.size(1)}, strides, dilation, 0.0) : in;
        const bool separable = step.kind == "SeparableConv2D";
        y = at::convolution(padded, weight, separable ? at::Tensor() : bias, strides, zeros,
                            dilation, false, zeros, channels);
        if (separable) {
            const at::Tensor pointwise = toTensor(tensorOf(step, "pointwise_kernel"));
            y = at::convolution(y, pointwise.permute({3, 2, 0, 1}), bias, ones, zeros, ones, false,
                                zeros, 1);
        }
    }
    return activate(text(p, "activation", "linear"), toChannelsLast(y), kerasMajor);
}

// Keras LayerNormalization over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta,
// the biased variance.
at::Tensor layerNorm(const verify::ForwardStep& step, const at::Tensor& x, const json& p) {
    const json given = p.value("axis", json(-1));
    const json axis = given.is_array() && given.size() == 1 ? given[0] : given;
    if (!(axis == -1 || (axis.is_number_integer() && axis.get<std::int64_t>() == x.dim() - 1)))
        throw std::runtime_error("LayerNormalization '" + step.name + "' normalizes axis " +
                                 axis.dump() + "; verify computes the last axis only");
    if (p.value("rms_scaling", false))
        throw std::runtime_error("LayerNormalization '" + step.name + "' has rms_scaling=True");
    const double eps = p.value("epsilon", 1e-3);
    const at::Tensor mean = x.mean({-1}, true);
    const at::Tensor variance = (x - mean).pow(2).mean({-1}, true);
    at::Tensor y = (x - mean) / at::sqrt(variance + eps);
    if (hasTensor(step, "gamma")) y = y * toTensor(tensorOf(step, "gamma"));
    if (hasTensor(step, "beta")) y = y + toTensor(tensorOf(step, "beta"));
    return y;
}

at::Tensor batchNorm(const verify::ForwardStep& step, const at::Tensor& x, const json& p) {
    const std::int64_t channels = x.size(-1);
    const double eps = p.value("epsilon", 1e-3);
    at::Tensor y = (x - toTensor(tensorOf(step, "moving_mean"))) /
                   at::sqrt(toTensor(tensorOf(step, "moving_variance")) + eps);
    if (hasTensor(step, "gamma")) y = y * toTensor(tensorOf(step, "gamma"));
    if (hasTensor(step, "beta")) y = y + toTensor(tensorOf(step, "beta"));
    if (y.size(-1) != channels)
        throw std::runtime_error("BatchNormalization '" + step.name + "' shape");
    return y;
}

at::Tensor kerasStep(const verify::ForwardStep& step, const at::Tensor& x, int kerasMajor) {
    const json p = json::parse(step.params);
    const std::string& k = step.kind;
    if (k == "InputLayer" || k == "Dropout" || k == "SpatialDropout1D" || k == "SpatialDropout2D" ||
        k == "GaussianNoise" || k == "GaussianDropout" || k == "AlphaDropout" ||
        k == "ActivityRegularization")
        return x;  // inference: identity
    if (k == "Activation") return activate(text(p, "activation", "linear"), x, kerasMajor);
    if (k == "Dense") {
        at::Tensor y = x.matmul(toTensor(tensorOf(step, "kernel")));
        if (hasTensor(step, "bias")) y = y + toTensor(tensorOf(step, "bias"));
        return activate(text(p, "activation", "linear"), y, kerasMajor);
    }
    if (k == "Conv1D" || k == "Conv2D" || k == "Conv3D") return convolution(step, x, p, kerasMajor);
    if (k == "Conv2DTranspose" || k == "DepthwiseConv2D" || k == "SeparableConv2D")
        return convolution2dVariant(step, x, p, kerasMajor);
    if (k == "BatchNormalization") return batchNorm(step, x, p);
    if (k == "LayerNormalization") return layerNorm(step, x, p);
    if (k == "Flatten") return x.reshape({x.size(0), -1});  // channels-last order, as Keras
    if (k == "MaxPooling1D" || k == "MaxPooling2D" || k == "AveragePooling1D" ||
        k == "AveragePooling2D") {
        const std::size_t rank = static_cast<std::size_t>(k[k.size() - 2] - '0');
        return toChannelsLast(poolChannelsFirst(toChannelsFirst(x), k[0] == 'M', p, rank));
    }
    if (k == "GlobalAveragePooling1D" || k == "GlobalAveragePooling2D" ||
        k == "GlobalMaxPooling1D" || k == "GlobalMaxPooling2D") {
        std::vector<std::int64_t> axes;
        for (std::int64_t i = 1; i < x.dim() - 1; ++i) axes.push_back(i);
        return k.rfind("GlobalMax", 0) == 0 ? at::amax(x, axes) : at::mean(x, axes);
    }
    if (k == "Embedding")
        return at::embedding(toTensor(tensorOf(step, "embeddings")), x.to(at::kLong));
    if (k == "LSTM" || k == "GRU" || k == "SimpleRNN")
        return recurrentLayer(step, x, p, kerasMajor);
    throw std::runtime_error("layer '" + step.name + "' (" + k +
                             ") has no Keras-semantics forward in verify yet");
}

}  // namespace

std::vector<verify::Array> runKerasForward(const verify::ForwardRequest& request) {
    at::Tensor x = toTensor(request.input);
    std::vector<verify::Array> outputs;
    for (const verify::ForwardStep& step : request.steps) {
        try {
            x = kerasStep(step, x, request.kerasMajor);
        } catch (const c10::Error& e) {
            throw std::runtime_error("layer '" + step.name + "' (" + step.kind +
                                     "): " + e.what_without_backtrace());
        }
        outputs.push_back(fromTensor(x));
    }
    return outputs;
}

}  // namespace ws::torchkernels
