// SPDX-License-Identifier: GPL-3.0-or-later
// PyTorch semantics with the ATen ops torch.nn's modules call: nn.Linear (at::linear),
// nn.ConvNd (at::convolution on channels-first tensors), nn.BatchNormNd (at::batch_norm, eval),
// nn.LSTM / nn.GRU / nn.RNN with num_layers and bidirectional (at::lstm / at::gru /
// at::rnn_tanh, batch_first), nn.Embedding, Flatten of a channels-first tensor. The weights are
// the state_dict's, by their PyTorch names. What torch.nn lacks (Keras' 'same' padding,
// activations after a layer) is done as the generated module does it.
#include "aten_support.h"
#include "forward_kernels.h"

namespace ws::torchkernels {

namespace {

struct Flow {
    at::Tensor x;
    bool channelsFirst = false;  // images / signals are channels-first inside PyTorch
};

at::Tensor optionalTensor(const verify::ForwardStep& step, const std::string& role) {
    return hasTensor(step, role) ? toTensor(tensorOf(step, role)) : at::Tensor();
}

// One direction of the generated KerasRecurrent module: torch.nn's parameter names and gate
// orders (LSTM i,f,g,o; GRU r,z,n with r applied to W_hn h + b_hn), Keras' activations. The
// output of step t is stored at t, also when reading backwards.
at::Tensor kerasRecurrentDirection(const std::string& kind, const at::Tensor& x,
                                   const std::vector<at::Tensor>& w, bool reverse,
                                   const std::string& act, const std::string& ract,
                                   int kerasMajor) {
    const std::int64_t hidden = w[1].size(1), steps = x.size(1);
    const at::Tensor bih = w.size() > 2 ? w[2] : at::Tensor(),
                     bhh = w.size() > 2 ? w[3] : at::Tensor();
    const at::Tensor projected = at::linear(x, w[0], bih);
    at::Tensor h = at::zeros({x.size(0), hidden}, x.options()), c = at::zeros_like(h);
    std::vector<at::Tensor> outputs(static_cast<std::size_t>(steps));
    auto chunk = [&](const at::Tensor& t, int k) { return t.narrow(1, k * hidden, hidden); };
    for (std::int64_t s = 0; s < steps; ++s) {
        const std::int64_t t = reverse ? steps - 1 - s : s;
        const at::Tensor gi = projected.select(1, t), gh = at::linear(h, w[1], bhh);
        if (kind == "LSTM") {
            const at::Tensor g = gi + gh;
            c = activate(ract, chunk(g, 1), kerasMajor) * c +
                activate(ract, chunk(g, 0), kerasMajor) * activate(act, chunk(g, 2), kerasMajor);
            h = activate(ract, chunk(g, 3), kerasMajor) * activate(act, c, kerasMajor);
        } else if (kind == "GRU") {
            const at::Tensor r = activate(ract, chunk(gi, 0) + chunk(gh, 0), kerasMajor);
            const at::Tensor z = activate(ract, chunk(gi, 1) + chunk(gh, 1), kerasMajor);
            h = (1 - z) * activate(act, chunk(gi, 2) + r * chunk(gh, 2), kerasMajor) + z * h;
        } else {
            h = activate(act, gi + gh, kerasMajor);
        }
        outputs[static_cast<std::size_t>(t)] = h;
    }
    return at::stack(outputs, 1);
}

// nn.LSTM / nn.GRU / nn.RNN(batch_first=True) with zero initial state -- by their own ATen ops
// when the activations are the ones torch.nn hard-wires, else as the generated KerasRecurrent.
at::Tensor recurrentModule(const verify::ForwardStep& step, const at::Tensor& x, const json& p,
                           int kerasMajor) {
    const std::string act = text(p, "activation", "tanh");
    const std::string ract = text(p, "recurrent_activation", "sigmoid");
    const bool native = step.kind == "SimpleRNN" ? (act == "tanh" || act == "relu")
                                                 : (act == "tanh" && ract == "sigmoid");
    const std::int64_t layers = p.value("num_layers", 1);
    const bool bidirectional = p.value("bidirectional", false);
    const std::string merge = text(p, "merge_mode", "concat");
    if (bidirectional && merge != "concat")
        throw std::runtime_error("module '" + step.name + "': merge_mode '" + merge +
                                 "' is not implemented by verify's PyTorch side");
    const bool hasBias = hasTensor(step, "bias_ih_l0");
    std::vector<at::Tensor> params;
    for (std::int64_t l = 0; l < layers; ++l)
        for (const char* suffix : bidirectional ? std::vector<const char*>{"", "_reverse"}
                                                : std::vector<const char*>{""}) {
            const std::string tail = "_l" + std::to_string(l) + suffix;
            params.push_back(toTensor(tensorOf(step, "weight_ih" + tail)));
            params.push_back(toTensor(tensorOf(step, "weight_hh" + tail)));
            if (hasBias) {
                params.push_back(toTensor(tensorOf(step, "bias_ih" + tail)));
                params.push_back(toTensor(tensorOf(step, "bias_hh" + tail)));
            }
        }
    const std::int64_t hidden = params[1].size(1);
    at::Tensor out;
    if (native) {
        const at::Tensor h0 =
            at::zeros({layers * (bidirectional ? 2 : 1), x.size(0), hidden}, x.options());
        if (step.kind == "LSTM")
            out = std::get<0>(
                at::lstm(x, {h0, h0}, params, hasBias, layers, 0.0, false, bidirectional, true));
        else if (step.kind == "GRU")
            out = std::get<0>(
                at::gru(x, h0, params, hasBias, layers, 0.0, false, bidirectional, true));
        else if (act == "relu")
            out = std::get<0>(
                at::rnn_relu(x, h0, params, hasBias, layers, 0.0, false, bidirectional, true));
        else
            out = std::get<0>(
                at::rnn_tanh(x, h0, params, hasBias, layers, 0.0, false, bidirectional, true));
    } else {
        const std::size_t perDirection = hasBias ? 4 : 2;
        out = x;
        std::size_t at = 0;
        for (std::int64_t l = 0; l < layers; ++l) {
            std::vector<at::Tensor> directions;
            for (int d = 0; d < (bidirectional ? 2 : 1); ++d, at += perDirection) {
                const std::vector<at::Tensor> w(
                    params.begin() + static_cast<std::ptrdiff_t>(at),
                    params.begin() + static_cast<std::ptrdiff_t>(at + perDirection));
                directions.push_back(
                    kerasRecurrentDirection(step.kind, out, w, d == 1, act, ract, kerasMajor));
            }
            out = at::cat(directions, 2);
        }
    }
    if (p.value("return_sequences", false)) return out;
    // The last state: the forward direction's at the last step, the reverse direction's at t=0.
    const at::Tensor last = out.select(1, out.size(1) - 1);
    if (!bidirectional) return last;
    return at::cat({last.narrow(1, 0, hidden), out.select(1, 0).narrow(1, hidden, hidden)}, 1);
}

// nn.ConvNd after the generated F.pad of Keras' 'same' / 'causal' padding; `groups` = the input
// channels for a depthwise nn.Conv2d (DepthwiseConv2D, SeparableConv2d's depthwise half).
at::Tensor convModule(const verify::ForwardStep& step, const at::Tensor& x, const json& p,
                      std::size_t rank, const std::string& weightRole, const at::Tensor& bias,
                      std::int64_t groups) {
    const at::Tensor weight = toTensor(tensorOf(step, weightRole));
    if (static_cast<std::size_t>(x.dim()) != rank + 2 ||
        static_cast<std::size_t>(weight.dim()) != rank + 2)
        throw std::runtime_error("module '" + step.name + "': input or weight rank does not fit " +
                                 step.kind);
    const auto strides = intList(p, "strides", rank, 1);
    const auto dilation = intList(p, "dilation_rate", rank, 1);
    std::vector<std::int64_t> kernelSize(weight.sizes().begin() + 2, weight.sizes().end());
    at::Tensor in = x;
    const std::string padding = text(p, "padding", "valid");
    if (padding == "same")
        in = padSame(in, kernelSize, strides, dilation, 0.0);  // the generated F.pad
    else if (padding == "causal")
        in = at::constant_pad_nd(in, {(kernelSize[0] - 1) * dilation[0], 0}, 0.0);
    std::vector<std::int64_t> zeros(rank, 0);
    return at::convolution(in, weight, bias, strides, zeros, dilation, false, zeros, groups);
}

// The generated module's Keras-only convolutions: nn.ConvTranspose2d with its output window
// sliced as Keras', a depthwise nn.Conv2d(groups=C), SeparableConv2d (depthwise, pointwise).
at::Tensor conv2dVariantModule(const verify::ForwardStep& step, const at::Tensor& x,
                               const json& p) {
    if (x.dim() != 4)
        throw std::runtime_error("module '" + step.name + "' needs (batch, C, H, W) input");
    if (step.kind == "DepthwiseConv2D")
        return convModule(step, x, p, 2, "weight", optionalTensor(step, "bias"), x.size(1));
    if (step.kind == "SeparableConv2D") {
        const at::Tensor depthwise = convModule(step, x, p, 2, "depthwise.weight", {}, x.size(1));
        return at::conv2d(depthwise, toTensor(tensorOf(step, "pointwise.weight")),
                          optionalTensor(step, "pointwise.bias"));
    }
    const at::Tensor weight = toTensor(tensorOf(step, "weight"));  // (in, out, kh, kw)
    const std::vector<std::int64_t> zeros{0, 0};
    const at::Tensor full =
        at::convolution(x, weight, optionalTensor(step, "bias"), intList(p, "strides", 2, 1), zeros,
                        intList(p, "dilation_rate", 2, 1), true, zeros, 1);
    return kerasTransposeWindow(full, {x.size(2), x.size(3)}, {weight.size(2), weight.size(3)}, p,
                                false, step.name);
}

// nn.BatchNormNd normalizes axis 1.
at::Tensor batchNormModule(const verify::ForwardStep& step, const Flow& f, const json& p) {
    const double eps = p.value("epsilon", 1e-5);  // the converter carries Keras' eps over
    const bool moveChannels = !f.channelsFirst && f.x.dim() > 2;
    const at::Tensor in = moveChannels ? toChannelsFirst(f.x) : f.x;
    at::Tensor y = at::batch_norm(in, optionalTensor(step, "weight"), optionalTensor(step, "bias"),
                                  toTensor(tensorOf(step, "running_mean")),
                                  toTensor(tensorOf(step, "running_var")), false, 0.0, eps, false);
    return moveChannels ? toChannelsLast(y) : y;
}

bool isSpatial(const std::string& k) {
    return k.find("Conv") != std::string::npos || k.find("Pooling") != std::string::npos;
}

void torchStep(const verify::ForwardStep& step, Flow& f, int kerasMajor) {
    const json p = json::parse(step.params);
    const std::string& k = step.kind;
    // PyTorch takes images channels-first: the input (or a sequence feeding a Conv1D) moves once.
    if (isSpatial(k) && !f.channelsFirst) {
        f.x = toChannelsFirst(f.x);
        f.channelsFirst = true;
    }
    const std::string activation = text(p, "activation", "linear");
    if (k == "InputLayer" || k.find("Dropout") != std::string::npos || k == "GaussianNoise" ||
        k == "ActivityRegularization")
        return;
    if (k == "Activation") {
        f.x = activate(activation, f.x, kerasMajor);
    } else if (k == "Dense") {
        f.x = activate(
            activation,
            at::linear(f.x, toTensor(tensorOf(step, "weight")), optionalTensor(step, "bias")),
            kerasMajor);
    } else if (k == "Conv1D" || k == "Conv2D" || k == "Conv3D" || k == "Conv2DTranspose" ||
               k == "DepthwiseConv2D" || k == "SeparableConv2D") {
        if (activation == "softmax")
            throw std::runtime_error("module '" + step.name + "': softmax after a convolution");
        const bool plain = k == "Conv1D" || k == "Conv2D" || k == "Conv3D";
        f.x = activate(activation,
                       plain ? convModule(step, f.x, p, static_cast<std::size_t>(k[4] - '0'),
                                          "weight", optionalTensor(step, "bias"), 1)
                             : conv2dVariantModule(step, f.x, p),
                       kerasMajor);
    } else if (k == "LayerNormalization") {
        if (f.channelsFirst) {  // nn.LayerNorm normalizes the last axis: the module moves C there
            f.x = toChannelsLast(f.x);
            f.channelsFirst = false;
        }
        const at::Tensor weight = optionalTensor(step, "weight");
        const at::Tensor bias = optionalTensor(step, "bias");
        f.x = at::layer_norm(f.x, {f.x.size(-1)}, weight, bias, p.value("epsilon", 1e-3));
    } else if (k == "BatchNormalization") {
        f.x = batchNormModule(step, f, p);
    } else if (k == "Flatten") {
        f.x = f.x.flatten(1);  // channels-first order: (C, H, W)
        f.channelsFirst = false;
    } else if (k.find("Pooling") != std::string::npos && k.rfind("Global", 0) != 0) {
        const std::size_t rank = static_cast<std::size_t>(k[k.size() - 2] - '0');
        f.x = poolChannelsFirst(f.x, k[0] == 'M', p, rank);
    } else if (k.rfind("Global", 0) == 0) {
        std::vector<std::int64_t> axes;
        for (std::int64_t i = 2; i < f.x.dim(); ++i) axes.push_back(i);
        f.x = k.rfind("GlobalMax", 0) == 0 ? at::amax(f.x, axes) : at::mean(f.x, axes);
        f.channelsFirst = false;
    } else if (k == "Embedding") {
        f.x = at::embedding(toTensor(tensorOf(step, "weight")), f.x.to(at::kLong));
    } else if (k == "LSTM" || k == "GRU" || k == "SimpleRNN") {
        if (f.channelsFirst) {  // a sequence after Conv1D: back to (N, T, F)
            f.x = toChannelsLast(f.x);
            f.channelsFirst = false;
        }
        f.x = recurrentModule(step, f.x, p, kerasMajor);
    } else {
        throw std::runtime_error("module '" + step.name + "' (" + k +
                                 ") has no PyTorch-semantics forward in verify yet");
    }
}

}  // namespace

std::vector<verify::Array> runTorchForward(const verify::ForwardRequest& request) {
    Flow f{toTensor(request.input), false};
    std::vector<verify::Array> outputs;
    for (const verify::ForwardStep& step : request.steps) {
        try {
            torchStep(step, f, request.kerasMajor);
        } catch (const c10::Error& e) {
            throw std::runtime_error("module '" + step.name + "' (" + step.kind +
                                     "): " + e.what_without_backtrace());
        }
        // Reported in Keras layout so each output compares with its Keras layer directly.
        outputs.push_back(fromTensor(f.channelsFirst && f.x.dim() > 2 ? toChannelsLast(f.x) : f.x));
    }
    return outputs;
}

}  // namespace ws::torchkernels
