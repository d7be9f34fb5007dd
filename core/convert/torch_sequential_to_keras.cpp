// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/torch_sequential_to_keras.h"

#include <cmath>
#include <functional>
#include <sstream>

#include "convert/keras_layer_configs.h"
#include "layers/keras_shape_inference.h"
#include "model/error.h"

namespace ws::convert {

using layers::SemanticLayer;
using nlohmann::json;

std::string torchAttribute(const Node* module, const std::string& key) {
    if (!module) return {};
    for (const auto& [k, v] : module->attributes)
        if (k == key) return v;
    return {};
}

std::string torchModuleClass(const Node& module) {
    const std::string full = torchAttribute(&module, "class");
    const std::string c = full.empty() ? module.className : full;
    return c.substr(c.rfind('.') + 1);
}

namespace {

// "[3, 3]" or "3" (PyTorch keeps either) as `rank` numbers; empty when unreadable.
std::vector<std::int64_t> intsOf(const std::string& text, std::size_t rank) {
    std::string s = text;
    for (char& c : s)
        if (c == '[' || c == ']' || c == '(' || c == ')' || c == ',') c = ' ';
    std::istringstream in(s);
    std::vector<std::int64_t> out;
    for (std::int64_t v; in >> v;) out.push_back(v);
    if (out.size() == 1) out.assign(rank, out[0]);
    if (out.size() != rank) return {};
    return out;
}

double numberOf(const std::string& text, double fallback) {
    try {
        return text.empty() || text == "None" ? fallback : std::stod(text);
    } catch (const std::exception&) {
        return fallback;
    }
}

// Activations Keras computes the same way, by PyTorch class: folded into the Dense / Conv before
// them, else an Activation layer.
const std::map<std::string, std::string>& activationNames() {
    static const std::map<std::string, std::string> a = {
        {"ReLU", "relu"},       {"Tanh", "tanh"}, {"Sigmoid", "sigmoid"},   {"Softmax", "softmax"},
        {"ELU", "elu"},         {"SELU", "selu"}, {"Softplus", "softplus"}, {"SiLU", "swish"},
        {"Identity", "linear"}, {"GELU", "gelu"}};
    return a;
}

struct ChainBuilder {
    KerasChain chain;
    std::map<std::string, int> used;  // Keras layer names given so far, per base name
    int spatialRank = -1;         // of the current PyTorch tensor: -1 unknown yet, 0 flat (N, F)
    bool flattenedImage = false;  // the last layer was a Flatten of a channels-first tensor

    std::string nameFor(const std::string& base) {
        const int n = used[base]++;
        return n == 0 ? base : base + "_" + std::to_string(n);
    }
    void add(json layer, const SemanticLayer* source, const Node& module) {
        KerasStep s;
        s.layer = std::move(layer);
        s.source = source;
        s.sourceLabel = module.name;
        chain.steps.push_back(std::move(s));
    }
    // The first item fixes the Keras input: `spatial` free axes then `features`.
    void input(int spatial, std::int64_t features) {
        if (spatialRank >= 0) return;
        spatialRank = spatial;
        chain.inputShape.assign(std::size_t(spatial), -1);
        chain.inputShape.push_back(features);
        if (spatial > 0) {
            static const char* const layouts[] = {"", "NCL -> NLC", "NCHW -> NHWC",
                                                  "NCDHW -> NDHWC"};
            chain.inputLayout = layouts[spatial];
            static const char* const permutes[] = {"", "(0, 2, 1)", "(0, 2, 3, 1)",
                                                   "(0, 2, 3, 4, 1)"};
            chain.notes.push_back("input layout: PyTorch takes channels-first " +
                                  chain.inputLayout.substr(0, chain.inputLayout.find(' ')) +
                                  ", the Keras model channels-last " +
                                  chain.inputLayout.substr(chain.inputLayout.rfind(' ') + 1) +
                                  " (a PyTorch input x goes in as x.permute" + permutes[spatial] +
                                  ")");
        }
    }
};

[[noreturn]] void refuse(const Node& item, const std::string& cls, const std::string& why) {
    throw FormatError("nn.Sequential item '" + item.name + "' (" + cls + "): " + why);
}

const SemanticLayer& weightsOf(const Node& item, const std::string& cls,
                               const std::map<const Node*, const SemanticLayer*>& weighted) {
    auto it = weighted.find(&item);
    if (it == weighted.end()) refuse(item, cls, "its weights are not in the file");
    return *it->second;
}

using Handler =
    std::function<void(const Node&, const std::string&, const SemanticLayer*, ChainBuilder&)>;

void linear(const Node& item, const std::string&, const SemanticLayer* l, ChainBuilder& b) {
    const auto& w = l->tensors.at("weight")->tensor->shape;
    b.input(0, w.at(1));
    if (b.spatialRank > 0)
        refuse(item, "Linear", "it acts on the last axis of a channels-first tensor");
    b.add(kerasDense(b.nameFor("dense"), w.at(0), l->tensors.count("bias") > 0), l, item);
    if (b.flattenedImage) b.chain.steps.back().preFlattenShape = {-1};  // filled in later
    b.flattenedImage = false;
}

void convolution(const Node& item, const std::string& cls, const SemanticLayer* l,
                 ChainBuilder& b) {
    const std::size_t rank = std::size_t(cls.at(4) - '0');
    const auto& w = l->tensors.at("weight")->tensor->shape;
    const auto kernel = intsOf(torchAttribute(&item, "kernel_size"), rank);
    const auto stride = intsOf(torchAttribute(&item, "stride"), rank);
    const auto dilation = intsOf(torchAttribute(&item, "dilation"), rank);
    const auto padding = intsOf(torchAttribute(&item, "padding"), rank);
    if (kernel.empty() || stride.empty() || dilation.empty())
        refuse(item, cls, "kernel_size, stride or dilation is not in the pickle");
    if (torchAttribute(&item, "groups") != "1")
        refuse(item, cls,
               "a grouped convolution (groups=" + torchAttribute(&item, "groups") +
                   ") has no generated Keras layer yet");
    const std::string mode = torchAttribute(&item, "padding_mode");
    if (!mode.empty() && mode != "zeros")
        refuse(item, cls, "padding_mode '" + mode + "': Keras pads with zeros only");
    bool valid = true, same = true;
    for (std::size_t a = 0; a < rank; ++a) {
        const std::int64_t p = padding.empty() ? -1 : padding[a];
        valid &= p == 0;
        same &= stride[a] == 1 && p * 2 == dilation[a] * (kernel[a] - 1);
    }
    if (!valid && !same)
        refuse(item, cls,
               "padding " + torchAttribute(&item, "padding") + " with stride " +
                   torchAttribute(&item, "stride") +
                   " is neither Keras 'valid' (no padding) nor 'same' (stride 1, symmetric)");
    b.input(int(rank), w.at(1));
    if (b.spatialRank != int(rank))
        refuse(item, cls, "its input is not a " + cls.substr(4) + " tensor");
    b.add(kerasConv(b.nameFor("conv" + std::to_string(rank) + "d"), w.at(0), kernel, stride,
                    dilation, valid ? "valid" : "same", l->tensors.count("bias") > 0),
          l, item);
}

void batchNorm(const Node& item, const std::string& cls, const SemanticLayer* l, ChainBuilder& b) {
    if (torchAttribute(&item, "track_running_stats") == "False")
        refuse(item, cls, "track_running_stats=False: it normalizes with the batch's statistics");
    const std::size_t features = std::size_t(l->tensors.at("running_mean")->tensor->numel());
    b.input(cls == "BatchNorm2d" ? 2 : cls == "BatchNorm3d" ? 3 : 0, std::int64_t(features));
    const double momentum = numberOf(torchAttribute(&item, "momentum"), 0.1);
    b.add(kerasBatchNorm(b.nameFor("batch_normalization"),
                         numberOf(torchAttribute(&item, "eps"), 1e-5), 1.0 - momentum,
                         torchAttribute(&item, "affine") != "False"),
          l, item);
}

void pooling(const Node& item, const std::string& cls, const SemanticLayer*, ChainBuilder& b) {
    const std::size_t rank = std::size_t(cls.at(cls.size() - 2) - '0');
    const bool max = cls.rfind("Max", 0) == 0;
    if (b.spatialRank != int(rank)) refuse(item, cls, "its input is not a matching image tensor");
    const auto kernel = intsOf(torchAttribute(&item, "kernel_size"), rank);
    auto stride = intsOf(torchAttribute(&item, "stride"), rank);
    if (stride.empty()) stride = kernel;  // stride=None
    const auto padding = intsOf(torchAttribute(&item, "padding"), rank);
    if (kernel.empty()) refuse(item, cls, "kernel_size is not in the pickle");
    for (std::int64_t p : padding)
        if (p != 0)
            refuse(item, cls,
                   "padding " + torchAttribute(&item, "padding") +
                       ": Keras pools 'valid' or TensorFlow-'same' only");
    if (torchAttribute(&item, "ceil_mode") == "True")
        refuse(item, cls, "ceil_mode=True has no Keras counterpart");
    const std::string dil = torchAttribute(&item, "dilation");
    if (max && !dil.empty() && intsOf(dil, rank) != std::vector<std::int64_t>(rank, 1))
        refuse(item, cls, "a dilated pooling window has no Keras counterpart");
    const std::string r = std::to_string(rank) + "D";
    b.add(kerasPooling((max ? "MaxPooling" : "AveragePooling") + r,
                       b.nameFor(std::string(max ? "max" : "average") + "_pooling" +
                                 std::to_string(rank) + "d"),
                       kernel, stride),
          nullptr, item);
}

// AdaptiveAvgPool2d(1) / AdaptiveMaxPool2d(1): a global pooling. PyTorch keeps the 1x1 axes
// (a Flatten follows), Keras drops them: the same numbers.
void globalPooling(const Node& item, const std::string& cls, const SemanticLayer*,
                   ChainBuilder& b) {
    const std::size_t rank = std::size_t(cls.at(cls.size() - 2) - '0');
    if (b.spatialRank != int(rank)) refuse(item, cls, "its input is not a matching image tensor");
    if (intsOf(torchAttribute(&item, "output_size"), rank) != std::vector<std::int64_t>(rank, 1))
        refuse(item, cls,
               "output_size " + torchAttribute(&item, "output_size") +
                   ": only 1 (global pooling) has a Keras counterpart");
    const bool max = cls.find("Max") != std::string::npos;
    const std::string r = std::to_string(rank) + "D";
    b.add(kerasLayer((max ? "GlobalMaxPooling" : "GlobalAveragePooling") + r,
                     b.nameFor(std::string("global_") + (max ? "max" : "average") + "_pooling" +
                               std::to_string(rank) + "d"),
                     {{"data_format", "channels_last"}, {"keepdims", false}}),
          nullptr, item);
    b.spatialRank = 0;
}

void flatten(const Node& item, const std::string& cls, const SemanticLayer*, ChainBuilder& b) {
    const std::string start = torchAttribute(&item, "start_dim");
    const std::string end = torchAttribute(&item, "end_dim");
    if ((!start.empty() && start != "1") || (!end.empty() && end != "-1"))
        refuse(item, cls, "only Flatten(start_dim=1, end_dim=-1) has a Keras counterpart");
    if (b.spatialRank == 0) {
        // Already flat in Keras (after a global pooling, whose 1x1 axes PyTorch keeps): Keras'
        // Flatten refuses a rank-2 input, and there is nothing to flatten.
        b.chain.notes.push_back("Flatten '" + item.name +
                                "' has no Keras layer: the tensor is already flat there");
        return;
    }
    b.flattenedImage = true;
    b.spatialRank = 0;
    b.add(kerasLayer("Flatten", b.nameFor("flatten"), {{"data_format", "channels_last"}}), nullptr,
          item);
}

void dropout(const Node& item, const std::string&, const SemanticLayer*, ChainBuilder& b) {
    b.add(kerasDropout(b.nameFor("dropout"), numberOf(torchAttribute(&item, "p"), 0.5)), nullptr,
          item);
}

void activation(const Node& item, const std::string& cls, const SemanticLayer*, ChainBuilder& b) {
    if (b.chain.steps.empty()) refuse(item, cls, "the model's input size is not known before it");
    if (cls == "Softmax") {
        const std::string dim = torchAttribute(&item, "dim");
        const bool channels = dim == "1" || ((dim == "-1" || dim == "None") && b.spatialRank == 0);
        if (!channels) refuse(item, cls, "softmax over dim=" + dim + ", not the channel axis");
    }
    if (cls == "ELU" && numberOf(torchAttribute(&item, "alpha"), 1.0) != 1.0)
        refuse(item, cls, "alpha other than 1 has no generated Keras layer yet");
    if (cls == "Softplus" && (numberOf(torchAttribute(&item, "beta"), 1.0) != 1.0))
        refuse(item, cls, "beta other than 1 has no Keras counterpart");
    const std::string approximate = torchAttribute(&item, "approximate");
    if (cls == "GELU" && !approximate.empty() && approximate != "none")
        refuse(item, cls, "approximate='" + approximate + "': Keras' gelu is the exact one");
    const std::string name = activationNames().at(cls);
    json& last = b.chain.steps.back().layer["config"];
    if (last.value("activation", "") == "linear") {
        last["activation"] = name;
        return;
    }
    b.add(kerasLayer("Activation", b.nameFor("activation"), {{"activation", name}}), nullptr, item);
}

// LeakyReLU and ReLU6 are Keras layers of their own (their parameter does not fit Activation).
void parametricActivation(const Node& item, const std::string& cls, const SemanticLayer*,
                          ChainBuilder& b) {
    if (b.chain.steps.empty()) refuse(item, cls, "the model's input size is not known before it");
    if (cls == "LeakyReLU")
        b.add(kerasLayer("LeakyReLU", b.nameFor("leaky_re_lu"),
                         {{"alpha", numberOf(torchAttribute(&item, "negative_slope"), 0.01)}}),
              nullptr, item);
    else
        b.add(kerasLayer("ReLU", b.nameFor("re_lu"),
                         {{"max_value", 6.0}, {"negative_slope", 0.0}, {"threshold", 0.0}}),
              nullptr, item);
}

// LayerNorm over the features of a flat (N, F) tensor: Keras' LayerNormalization on axis -1.
void layerNorm(const Node& item, const std::string& cls, const SemanticLayer* l, ChainBuilder& b) {
    const std::vector<std::int64_t> shape = intsOf(torchAttribute(&item, "normalized_shape"), 1);
    if (shape.empty()) refuse(item, cls, "it normalizes more than the last axis");
    b.input(0, shape[0]);
    if (b.spatialRank != 0)
        refuse(item, cls, "it normalizes the last axis of a channels-first tensor");
    const bool affine = torchAttribute(&item, "elementwise_affine") != "False";
    b.add(kerasLayer("LayerNormalization", b.nameFor("layer_normalization"),
                     {{"axis", -1},
                      {"epsilon", numberOf(torchAttribute(&item, "eps"), 1e-5)},
                      {"center", affine},
                      {"scale", affine}}),
          l, item);
}

// ConvTranspose2d without padding: Keras' 'valid' Conv2DTranspose gives the full transposed
// convolution when the kernel is at least the stride.
void transposedConvolution(const Node& item, const std::string& cls, const SemanticLayer* l,
                           ChainBuilder& b) {
    const auto& w = l->tensors.at("weight")->tensor->shape;  // (in, out, kh, kw)
    const auto kernel = intsOf(torchAttribute(&item, "kernel_size"), 2);
    const auto stride = intsOf(torchAttribute(&item, "stride"), 2);
    const auto padding = intsOf(torchAttribute(&item, "padding"), 2);
    const auto outputPadding = intsOf(torchAttribute(&item, "output_padding"), 2);
    const auto dilation = intsOf(torchAttribute(&item, "dilation"), 2);
    if (kernel.empty() || stride.empty())
        refuse(item, cls, "kernel_size or stride is not in the pickle");
    const std::vector<std::int64_t> zero(2, 0), one(2, 1);
    if (torchAttribute(&item, "groups") != "1" || padding != zero || outputPadding != zero ||
        dilation != one || kernel[0] < stride[0] || kernel[1] < stride[1])
        refuse(item, cls,
               "only groups=1, padding=0, output_padding=0, dilation=1 and kernel >= stride give "
               "Keras' 'valid' Conv2DTranspose");
    b.input(2, w.at(0));
    if (b.spatialRank != 2) refuse(item, cls, "its input is not an image tensor");
    json layer = kerasConv(b.nameFor("conv2d_transpose"), w.at(1), kernel, stride, one, "valid",
                           l->tensors.count("bias") > 0);
    layer["class_name"] = "Conv2DTranspose";
    layer["config"]["output_padding"] = nullptr;
    layer["config"].erase("groups");
    b.add(layer, l, item);
}

const std::map<std::string, Handler>& handlers() {
    static const std::map<std::string, Handler> h = [] {
        std::map<std::string, Handler> m = {
            {"Linear", linear},
            {"Flatten", flatten},
            {"Dropout", dropout},
            {"LeakyReLU", parametricActivation},
            {"ReLU6", parametricActivation},
            {"LayerNorm", layerNorm},
            {"ConvTranspose2d", transposedConvolution},
        };
        for (const char* c : {"Conv1d", "Conv2d", "Conv3d"}) m[c] = convolution;
        for (const char* c : {"BatchNorm1d", "BatchNorm2d", "BatchNorm3d"}) m[c] = batchNorm;
        for (const char* c :
             {"MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d"})
            m[c] = pooling;
        for (const char* c : {"AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
                              "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"})
            m[c] = globalPooling;
        for (const auto& [cls, name] : activationNames()) m[cls] = activation;
        return m;
    }();
    return h;
}

std::string knownItems() {
    std::string s;
    for (const auto& [cls, h] : handlers()) s += (s.empty() ? "" : ", ") + cls;
    return s;
}

SemanticLayer asKerasLayer(const json& layer) {
    SemanticLayer l;
    l.kind = layer.at("class_name").get<std::string>();
    l.params = layer.at("config");
    return l;
}

// The Keras shapes along the chain for `input`; false when a layer cannot take its input.
// `preFlatten` receives, per step, the shape entering it.
bool runShapes(const KerasChain& chain, const std::vector<std::int64_t>& input,
               std::vector<std::vector<std::int64_t>>& entering) {
    entering.clear();
    std::vector<std::int64_t> shape = input;
    for (const KerasStep& s : chain.steps) {
        entering.push_back(shape);
        shape = layers::kerasOutputShape(asKerasLayer(s.layer), shape);
        if (shape.empty()) return false;
        if (s.layer["class_name"] == "Dense") {
            const auto& w = s.source->tensors.at("weight")->tensor->shape;
            if (entering.back().back() != w.at(1)) return false;
        }
    }
    return true;
}

// A Dense after a Flatten fixes the image size: the smallest square size whose flattened
// features are the Dense's inputs. Without one the spatial axes stay free (None).
void chooseInputSize(KerasChain& chain) {
    bool needsSize = false;
    for (const KerasStep& s : chain.steps) needsSize |= !s.preFlattenShape.empty();
    std::vector<std::vector<std::int64_t>> entering;
    if (!needsSize) return;
    const std::size_t spatial = chain.inputShape.size() - 1;
    for (std::int64_t n = 1; n <= 4096; ++n) {
        std::vector<std::int64_t> input(spatial, n);
        input.push_back(chain.inputShape.back());
        if (!runShapes(chain, input, entering)) continue;
        chain.inputShape = input;
        for (std::size_t i = 0; i < chain.steps.size(); ++i) {
            if (chain.steps[i].preFlattenShape.empty()) continue;
            std::size_t flat = i;  // the Flatten before this Dense (Dropout may lie between)
            while (flat > 0 && chain.steps[flat].layer["class_name"] != "Flatten") --flat;
            chain.steps[i].preFlattenShape = entering.at(flat);  // what the Flatten took
        }
        chain.notes.push_back("input size: " + shapeToString(input) +
                              " (channels-last): the smallest square size whose Flatten gives "
                              "the next Linear's in_features (a non-square image of the same "
                              "flattened size needs --template)");
        return;
    }
    throw FormatError(
        "no input size makes the Flatten give the next Linear's in_features (sizes 1 to 4096 "
        "tried, square images): give a Keras file of the same architecture with --template");
}

}  // namespace

KerasChain kerasChainOfSequential(const Node& sequential,
                                  const std::map<const Node*, const SemanticLayer*>& weighted) {
    ChainBuilder b;
    for (const auto& child : sequential.children) {
        if (child->kind != NodeKind::Layer) continue;
        const std::string cls = torchModuleClass(*child);
        auto h = handlers().find(cls);
        if (h == handlers().end())
            refuse(*child, cls, "no Keras layer is generated for it (known: " + knownItems() + ")");
        const bool hasTensors = weighted.count(child.get()) > 0;
        const SemanticLayer* l = hasTensors || cls == "Linear" || cls.rfind("Conv", 0) == 0 ||
                                         cls.rfind("BatchNorm", 0) == 0
                                     ? &weightsOf(*child, cls, weighted)
                                     : nullptr;
        h->second(*child, cls, l, b);
    }
    if (b.chain.steps.empty() || b.spatialRank < 0)
        throw FormatError("the nn.Sequential '" + sequential.name +
                          "' has no layer that fixes the input size");
    chooseInputSize(b.chain);
    return std::move(b.chain);
}

}  // namespace ws::convert
