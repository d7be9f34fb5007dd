// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/torch_module_emitter.h"

#include <sstream>

#include "convert/activation_table.h"
#include "convert/torch_recurrent_helper.h"
#include "layers/keras_conv_transpose.h"
#include "model/error.h"
#include "model/tensor.h"

namespace ws::convert {

using layers::SemanticLayer;
using nlohmann::json;

namespace {

std::vector<std::int64_t> intList(const json& p, const char* key, std::size_t n,
                                  std::int64_t fallback) {
    std::vector<std::int64_t> out(n, fallback);
    auto it = p.find(key);
    if (it == p.end() || !it->is_array()) return out;
    for (std::size_t i = 0; i < n && i < it->size(); ++i)
        if ((*it)[i].is_number_integer()) out[i] = (*it)[i].get<std::int64_t>();
    return out;
}

std::string pyFloat(double v) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    std::string t = s.str();
    if (t.find_first_of(".e") == std::string::npos) t += ".0";
    return t;
}

int spatialRankOf(const std::string& kind) {
    for (int r = 1; r <= 3; ++r)
        if (kind.find(std::to_string(r) + "D") != std::string::npos) return r;
    return 0;
}

class Emitter {
  public:
    Emitter(const KerasToTorchResult& r, const EmitOptions& o) : r_(r), o_(o) {}

    std::string run() {
        if (!r_.layers.chain)
            throw FormatError("--emit-module needs a Sequential or chain-shaped model: " +
                              r_.layers.notChainReason);
        cf_ = r_.plan.inputChannelsFirst;
        for (const TorchBlock& b : r_.plan.blocks) block(b);
        return assemble();
    }

  private:
    const KerasToTorchResult& r_;
    const EmitOptions& o_;
    std::ostringstream init_, fwd_;
    bool cf_ = false;
    bool needRecurrent_ = false, needSeparable_ = false;
    std::vector<std::string> remarks_;

    const SemanticLayer& layer(std::size_t i) const { return r_.layers.layers[i]; }

    [[noreturn]] void refuse(const SemanticLayer& l, const std::string& why) const {
        throw FormatError("--emit-module: layer '" + l.name + "' (" + l.sourceClass + "): " + why);
    }

    std::string activation(const SemanticLayer& l, const std::string& name,
                           std::size_t rank) const {
        if (name == "softmax")
            return std::string("torch.softmax(x, dim=") + (cf_ && rank >= 2 ? "1" : "-1") + ")";
        if (name == "log_softmax")
            return std::string("torch.log_softmax(x, dim=") + (cf_ && rank >= 2 ? "1" : "-1") + ")";
        const auto a = torchActivation(name, r_.layers.kerasMajor);
        if (!a)
            refuse(l, "activation '" + name + "' has no PyTorch counterpart known to Weightsmith");
        return a->expression;
    }

    void applyActivation(const SemanticLayer& l, std::size_t rank) {
        if (!l.params.contains("activation") || !l.params["activation"].is_string()) return;
        const std::string expr = activation(l, l.params["activation"].get<std::string>(), rank);
        if (expr != "x") fwd_ << "        x = " << expr << "\n";
    }

    void setLayout(bool channelsFirst, std::size_t rank) {
        if (rank < 2 || channelsFirst == cf_) {
            cf_ = channelsFirst && rank >= 2 ? channelsFirst : cf_;
            return;
        }
        fwd_ << (channelsFirst
                     ? "        x = x.movedim(-1, 1)  # channels-last -> channels-first\n"
                     : "        x = x.movedim(1, -1)  # channels-first -> channels-last\n");
        cf_ = channelsFirst;
    }

    // F.pad amounts (last spatial axis first) for TensorFlow 'same' padding; empty when none.
    std::string samePad(const SemanticLayer& l, const std::vector<std::int64_t>& window,
                        const std::vector<std::int64_t>& strides) const {
        const std::size_t n = window.size();
        std::vector<std::int64_t> pads;
        bool any = false;
        for (std::size_t i = n; i-- > 0;) {
            std::int64_t total;
            if (l.inputShape.size() == n + 1) {
                const std::int64_t in = l.inputShape[i];
                const std::int64_t out = (in + strides[i] - 1) / strides[i];
                total = std::max<std::int64_t>((out - 1) * strides[i] + window[i] - in, 0);
            } else if (strides[i] == 1) {
                total = window[i] - 1;
            } else {
                refuse(l,
                       "'same' padding with stride > 1 needs the input shape, which the config "
                       "does not give");
            }
            pads.push_back(total / 2);
            pads.push_back(total - total / 2);
            any |= total > 0;
        }
        return any ? shapeToString(pads) : std::string();
    }

    void block(const TorchBlock& b) {
        const SemanticLayer& l = layer(b.layers.front());
        const std::string& k = b.kind;
        const json& p = l.params;
        const std::string self = "self." + b.attr;
        const std::size_t rank = b.rankIn;
        if (k == "InputLayer") return;
        if (k == "Dropout" || k.rfind("SpatialDropout", 0) == 0 || k == "GaussianDropout" ||
            k == "GaussianNoise" || k == "AlphaDropout") {
            fwd_ << "        # " << l.name << ": " << k << " (inactive at inference)\n";
            return;
        }
        setLayout(b.channelsFirstIn, rank);
        fwd_ << "        # " << l.name << " (" << l.sourceClass << ")\n";
        if (k == "Dense") {
            const auto& kernel = l.tensors.at("kernel")->tensor->shape;
            init_ << "        " << self << " = nn.Linear(" << kernel.at(0) << ", " << kernel.at(1)
                  << ", bias=" << (l.tensors.count("bias") ? "True" : "False") << ")\n";
            fwd_ << "        x = " << self << "(x)\n";
            applyActivation(l, rank);
        } else if (k == "Conv1D" || k == "Conv2D" || k == "Conv3D" || k == "DepthwiseConv2D" ||
                   k == "SeparableConv2D") {
            conv(b, l);
        } else if (k == "Conv2DTranspose") {
            convTranspose(b, l);
        } else if (k == "BatchNormalization") {
            const Node* mean = l.tensors.at("moving_mean");
            const std::int64_t c = mean->tensor->shape.at(0);
            const bool affine = l.tensors.count("gamma") || l.tensors.count("beta");
            const std::size_t dims = rank >= 2 ? rank - 1 : 1;
            if (dims > 3)
                refuse(l, "BatchNormalization over a rank-" + std::to_string(rank) + " tensor");
            init_ << "        " << self << " = nn.BatchNorm" << dims << "d(" << c
                  << ", eps=" << pyFloat(p.value("epsilon", 1e-3))
                  << ", momentum=" << pyFloat(1.0 - p.value("momentum", 0.99))
                  << ", affine=" << (affine ? "True" : "False") << ")\n";
            if (!cf_ && rank == 2)
                fwd_ << "        x = " << self << "(x.transpose(1, 2)).transpose(1, 2)\n";
            else
                fwd_ << "        x = " << self << "(x)\n";
        } else if (k == "LayerNormalization") {
            const std::int64_t c = l.inputShape.empty()
                                       ? l.tensors.begin()->second->tensor->shape.at(0)
                                       : l.inputShape.back();
            init_ << "        " << self << " = nn.LayerNorm(" << c
                  << ", eps=" << pyFloat(p.value("epsilon", 1e-3))
                  << ", elementwise_affine=" << (l.tensors.empty() ? "False" : "True") << ")\n";
            fwd_ << "        x = " << self << "(x)\n";
        } else if (k == "Embedding") {
            const auto& e = l.tensors.at("embeddings")->tensor->shape;
            if (p.value("mask_zero", false))
                remarks_.push_back("Embedding '" + l.name +
                                   "' has mask_zero=True: Keras skips "
                                   "padded steps in later recurrent layers, this module does not");
            init_ << "        " << self << " = nn.Embedding(" << e.at(0) << ", " << e.at(1)
                  << ")\n";
            fwd_ << "        x = " << self << "(x.long())\n";
        } else if (k == "LSTM" || k == "GRU" || k == "SimpleRNN") {
            recurrent(b, l);
        } else if (k == "Flatten") {
            fwd_ << "        x = torch.flatten(x, 1)"
                 << (cf_ && rank >= 2 ? "  # (C, spatial...) order; the next Dense kernel was "
                                        "reordered to match\n"
                                      : "\n");
        } else if (k == "Activation") {
            applyActivation(l, rank);
        } else if (k == "ReLU") {
            if (p.value("max_value", json()).is_number() || p.value("negative_slope", 0.0) != 0.0 ||
                p.value("threshold", 0.0) != 0.0)
                refuse(l, "ReLU with max_value/negative_slope/threshold is not generated yet");
            fwd_ << "        x = torch.relu(x)\n";
        } else if (k == "LeakyReLU") {
            const double a = p.contains("negative_slope") ? p.value("negative_slope", 0.3)
                                                          : p.value("alpha", 0.3);
            fwd_ << "        x = F.leaky_relu(x, " << pyFloat(a) << ")\n";
        } else if (k == "Softmax") {
            fwd_ << "        x = torch.softmax(x, dim=" << (cf_ && rank >= 2 ? "1" : "-1") << ")\n";
        } else if (k.find("Pooling") != std::string::npos) {
            pooling(b, l);
        } else {
            refuse(l, "no generated PyTorch code for " + k + " yet");
        }
        cf_ = b.channelsFirstOut;
    }

    void conv(const TorchBlock& b, const SemanticLayer& l) {
        const json& p = l.params;
        const std::string self = "self." + b.attr;
        const std::size_t n = std::size_t(spatialRankOf(b.kind));
        if (p.value("data_format", "channels_last") != "channels_last")
            refuse(l, "channels_first Keras convolutions are not generated yet");
        const auto ks = intList(p, "kernel_size", n, 1);
        const auto st = intList(p, "strides", n, 1);
        const auto dl = intList(p, "dilation_rate", n, 1);
        std::vector<std::int64_t> dilated(n);
        for (std::size_t i = 0; i < n; ++i) dilated[i] = dl[i] * (ks[i] - 1) + 1;
        const std::string padding = p.value("padding", "valid");
        std::string pad;
        if (padding == "same")
            pad = samePad(l, dilated, st);
        else if (padding == "causal")
            pad = "(" + std::to_string(dilated[0] - 1) + ", 0)";
        const bool bias = l.tensors.count("bias") > 0;
        const std::string common = ", kernel_size=" + shapeToString(ks) +
                                   ", stride=" + shapeToString(st) +
                                   ", dilation=" + shapeToString(dl);
        if (b.kind == "SeparableConv2D") {
            needSeparable_ = true;
            const auto& dw = l.tensors.at("depthwise_kernel")->tensor->shape;  // (kh, kw, C, m)
            const auto& pw = l.tensors.at("pointwise_kernel")->tensor->shape;  // (1, 1, C*m, F)
            init_ << "        " << self << " = SeparableConv2d(" << dw.at(2) << ", " << pw.at(3)
                  << ", " << shapeToString(ks) << ", " << shapeToString(st) << ", "
                  << shapeToString(dl) << ", " << dw.at(3) << ", " << (bias ? "True" : "False")
                  << ")\n";
        } else if (b.kind == "DepthwiseConv2D") {
            const auto& dw = l.tensors.at("depthwise_kernel")->tensor->shape;
            init_ << "        " << self << " = nn.Conv2d(" << dw.at(2) << ", "
                  << dw.at(2) * dw.at(3) << common << ", groups=" << dw.at(2)
                  << ", bias=" << (bias ? "True" : "False") << ")\n";
        } else {
            const auto& kernel = l.tensors.at("kernel")->tensor->shape;  // (k..., in, out)
            init_ << "        " << self << " = nn.Conv" << n << "d(" << kernel.at(n) << ", "
                  << kernel.at(n + 1) << common << ", bias=" << (bias ? "True" : "False") << ")\n";
        }
        if (!pad.empty())
            fwd_ << "        x = F.pad(x, " << pad << ")  # Keras padding='" << padding << "'\n";
        fwd_ << "        x = " << self << "(x)\n";
        applyActivation(l, b.rankIn);
    }

    // nn.ConvTranspose2d computes the full transposed convolution; Keras' output is a window
    // of it (layers/keras_conv_transpose.h), cut out by slicing.
    void convTranspose(const TorchBlock& b, const SemanticLayer& l) {
        const json& p = l.params;
        if (p.value("data_format", "channels_last") != "channels_last")
            refuse(l, "channels_first Keras convolutions are not generated yet");
        const auto ks = intList(p, "kernel_size", 2, 1);
        const auto st = intList(p, "strides", 2, 1);
        const auto dl = intList(p, "dilation_rate", 2, 1);
        const std::string padding = p.value("padding", "valid");
        if (padding != "same" && padding != "valid") refuse(l, "padding '" + padding + "'");
        const bool padded = p.contains("output_padding") && !p["output_padding"].is_null();
        const auto op =
            padded ? intList(p, "output_padding", 2, 0) : std::vector<std::int64_t>{-1, -1};
        std::string window;
        for (std::size_t i = 0; i < 2; ++i) {
            // `before` and the trimmed tail do not depend on the input length (any will do).
            const layers::TransposeAxis a =
                layers::kerasTransposeAxis(1, ks[i], st[i], dl[i], padding == "same", op[i]);
            if (a.trimAfter() < 0)
                refuse(l,
                       "its output is longer than the transposed convolution (kernel smaller "
                       "than the stride, or output_padding): not generated yet");
            window += ", " + std::to_string(a.before) + ":" +
                      (a.trimAfter() > 0 ? std::to_string(-a.trimAfter()) : std::string());
        }
        const auto& kernel = l.tensors.at("kernel")->tensor->shape;  // (kh, kw, out, in)
        init_ << "        self." << b.attr << " = nn.ConvTranspose2d(" << kernel.at(3) << ", "
              << kernel.at(2) << ", kernel_size=" << shapeToString(ks)
              << ", stride=" << shapeToString(st) << ", dilation=" << shapeToString(dl)
              << ", bias=" << (l.tensors.count("bias") ? "True" : "False") << ")\n";
        fwd_ << "        x = self." << b.attr << "(x)[:, :" << window << "]  # Keras padding='"
             << padding << "' output window\n";
        applyActivation(l, b.rankIn);
    }

    void pooling(const TorchBlock& b, const SemanticLayer& l) {
        const json& p = l.params;
        const std::string& k = b.kind;
        const std::size_t n = std::size_t(spatialRankOf(k));
        if (n == 0) refuse(l, "unknown pooling");
        if (p.value("data_format", "channels_last") != "channels_last")
            refuse(l, "channels_first pooling is not generated yet");
        std::string dims = "(";
        for (std::size_t i = 0; i < n; ++i) dims += (i ? ", " : "") + std::to_string(i + 2);
        dims += n == 1 ? ",)" : ")";
        if (k.rfind("GlobalAverage", 0) == 0) {
            fwd_ << "        x = x.mean(dim=" << dims
                 << (p.value("keepdims", false) ? ", keepdim=True" : "") << ")\n";
            return;
        }
        if (k.rfind("GlobalMax", 0) == 0) {
            fwd_ << "        x = x.amax(dim=" << dims
                 << (p.value("keepdims", false) ? ", keepdim=True" : "") << ")\n";
            return;
        }
        const auto pool = intList(p, "pool_size", n, 2);
        const auto st =
            p.contains("strides") && p["strides"].is_array() ? intList(p, "strides", n, 1) : pool;
        const std::string pad = p.value("padding", "valid") == "same" ? samePad(l, pool, st) : "";
        const std::string args = ", " + shapeToString(pool) + ", " + shapeToString(st);
        if (k.rfind("MaxPooling", 0) == 0) {
            if (!pad.empty())
                fwd_ << "        x = F.pad(x, " << pad
                     << ", value=float(\"-inf\"))  # Keras padding='same'\n";
            fwd_ << "        x = F.max_pool" << n << "d(x" << args << ")\n";
        } else if (k.rfind("AveragePooling", 0) == 0) {
            if (pad.empty()) {
                fwd_ << "        x = F.avg_pool" << n << "d(x" << args << ")\n";
            } else {  // Keras averages over the window's real elements only
                fwd_ << "        x = F.avg_pool" << n << "d(F.pad(x, " << pad << ")" << args
                     << ") / F.avg_pool" << n << "d(F.pad(torch.ones_like(x[:, :1]), " << pad << ")"
                     << args << ")  # Keras padding='same'\n";
            }
        } else {
            refuse(l, "no generated PyTorch code for " + k + " yet");
        }
    }

    void recurrent(const TorchBlock& b, const SemanticLayer& first) {
        const SemanticLayer& last = layer(b.layers.back());
        const json& p = first.params;
        const std::string self = "self." + b.attr;
        const std::string act = p.value("activation", "tanh");
        const std::string rec = p.value("recurrent_activation", "sigmoid");
        const bool bi = p.value("bidirectional", false);
        const std::string merge = p.value("merge_mode", "concat");
        if (p.value("go_backwards", false)) refuse(first, "go_backwards=True is not generated yet");
        if (p.value("stateful", false))
            remarks_.push_back(
                "layer '" + first.name +
                "' is stateful in Keras; this module starts every batch from zero state");
        const auto& kernel = first.tensors.at("kernel")->tensor->shape;
        const std::int64_t units = p.value("units", std::int64_t(0));
        const bool bias = first.tensors.count("bias") > 0;
        const std::string mode = b.kind == "SimpleRNN" ? "RNN" : b.kind;
        const std::string layers =
            b.layers.size() > 1 ? ", num_layers=" + std::to_string(b.layers.size()) : "";
        const std::string common = std::to_string(kernel.at(0)) + ", " + std::to_string(units) +
                                   layers + ", bias=" + (bias ? "True" : "False") +
                                   (bi ? ", bidirectional=True" : "");
        if (nativeRecurrentActivations(b.kind, act, rec)) {
            init_ << "        " << self << " = nn." << mode << "(" << common << ", batch_first=True"
                  << (b.kind == "SimpleRNN" ? ", nonlinearity=\"" + act + "\"" : "")
                  << (b.layers.size() > 1 && b.stackDropout > 0
                          ? ", dropout=" + pyFloat(b.stackDropout)
                          : "")
                  << ")\n";
        } else {
            needRecurrent_ = true;
            init_ << "        # Keras activation=" << act
                  << (b.kind == "SimpleRNN" ? "" : ", recurrent_activation=" + rec) << ": torch.nn."
                  << mode << " cannot compute these\n";
            init_ << "        " << self << " = KerasRecurrent(\"" << mode << "\", " << common
                  << ",\n            activation=lambda x: " << activation(first, act, 2)
                  << ",\n            recurrent_activation=lambda x: " << activation(first, rec, 2)
                  << ")\n";
        }
        fwd_ << "        x, _ = " << self << "(x)\n";
        const bool sequences = last.params.value("return_sequences", false);
        if (!bi) {
            if (!sequences)
                fwd_ << "        x = x[:, -1]  # return_sequences=False: the last step\n";
            return;
        }
        const std::string h = std::to_string(units);
        if (sequences) {
            if (merge == "concat") return;
            fwd_ << "        x_fw, x_bw = x[..., :" << h << "], x[..., " << h << ":]\n";
        } else {
            fwd_ << "        x_fw, x_bw = x[:, -1, :" << h << "], x[:, 0, " << h
                 << ":]  # each direction's final state\n";
        }
        if (merge == "concat")
            fwd_ << "        x = torch.cat([x_fw, x_bw], dim=-1)\n";
        else if (merge == "sum")
            fwd_ << "        x = x_fw + x_bw\n";
        else if (merge == "mul")
            fwd_ << "        x = x_fw * x_bw\n";
        else if (merge == "ave")
            fwd_ << "        x = (x_fw + x_bw) / 2\n";
        else
            refuse(first, "Bidirectional merge_mode '" + merge + "' is not generated yet");
    }

    std::string shapeDoc(const std::vector<std::int64_t>& keras, bool channelsFirst) const {
        std::vector<std::string> dims{"N"};
        std::vector<std::int64_t> s = keras;
        if (channelsFirst && s.size() >= 2) {
            s.insert(s.begin(), s.back());
            s.pop_back();
        }
        for (auto d : s) dims.push_back(d < 0 ? "?" : std::to_string(d));
        std::string t = "(";
        for (std::size_t i = 0; i < dims.size(); ++i) t += (i ? ", " : "") + dims[i];
        return t + ")";
    }

    std::string inputDoc() const {
        const auto& in = r_.layers.inputShape;
        const SemanticLayer* first = nullptr;
        for (const auto& l : r_.layers.layers)
            if (l.kind != "InputLayer") {
                first = &l;
                break;
            }
        if (first && first->kind == "Embedding")
            return shapeDoc(in, false) +
                   " integer token ids (any integer or float dtype; cast to long)";
        if (in.empty()) return "shape not recorded in the Keras config";
        if (r_.plan.inputChannelsFirst)
            return shapeDoc(in, true) + " channels-first (N, C, " +
                   (in.size() == 2   ? "L"
                    : in.size() == 3 ? "H, W"
                                     : "D, H, W") +
                   "); Keras took " + shapeDoc(in, false) + " channels-last";
        if (in.size() == 2) return shapeDoc(in, false) + " batch-first sequences (N, T, features)";
        return shapeDoc(in, false);
    }

    std::string outputDoc() const {
        const auto& layers = r_.layers.layers;
        if (layers.empty() || layers.back().outputShape.empty()) return "see the Keras model";
        const bool cf = !r_.plan.blocks.empty() && r_.plan.blocks.back().channelsFirstOut;
        return shapeDoc(layers.back().outputShape, cf) + (cf ? " channels-first" : "");
    }

    std::string assemble() const {
        std::ostringstream s;
        s << "\"\"\"PyTorch module generated by weightsmith-cli convert from the Keras "
          << r_.layers.modelClass << " model "
          << (o_.sourceFile.empty() ? "" : "'" + o_.sourceFile + "' ") << "(Keras "
          << (r_.layers.kerasVersion.empty() ? "?" : r_.layers.kerasVersion) << ").\n\n"
          << "Input:  " << inputDoc() << ".\n"
          << "Output: " << outputDoc() << ".\n\n"
          << "Usage:\n"
          << "    model = " << o_.className << "()\n"
          << "    model.load_state_dict(torch.load(\"" << o_.stateDictFile << "\"), strict=True)\n"
          << "    model.eval()  # inference as in Keras: BatchNorm running statistics, no "
             "dropout\n";
        for (const std::string& rmk : remarks_) s << "\nNote: " << rmk << "\n";
        s << "\"\"\"\n"
          << "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n";
        if (needRecurrent_) s << "\n" << kKerasRecurrentPython;
        if (needSeparable_) s << "\n" << kSeparableConvPython;
        s << "\n\nclass " << o_.className << "(nn.Module):\n"
          << "    \"\"\"Input " << inputDoc() << "; output " << outputDoc() << ".\"\"\"\n\n"
          << "    def __init__(self):\n        super().__init__()\n"
          << init_.str() << "\n"
          << "    def forward(self, x):\n"
          << fwd_.str() << "        return x\n";
        return s.str();
    }
};

}  // namespace

std::string emitTorchModule(const KerasToTorchResult& conversion, const EmitOptions& options) {
    return Emitter(conversion, options).run();
}

}  // namespace ws::convert
