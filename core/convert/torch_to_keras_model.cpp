// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/torch_to_keras_model.h"

#include <map>
#include <memory>

#include "convert/convert_engine.h"
#include "export/exporters.h"
#include "io/atomic_file.h"
#include "layers/torch_layer_recognition.h"
#include "model/error.h"

namespace ws::convert {

using layers::SemanticLayer;
using nlohmann::json;

namespace {

const char* const kTemplateRequired =
    "a template is required: PyTorch -> Keras without --template only handles the seed-style "
    "model (nn.LSTM/nn.GRU -> [Dropout] -> nn.Linear on the last step) and whole pickled "
    "nn.Sequential models of Linear layers and activations, because a PyTorch file does not say "
    "how its modules connect; give a Keras file of the same architecture with --template T.h5";

std::string attribute(const Node* node, const std::string& key) {
    if (!node) return {};
    for (const auto& [k, v] : node->attributes)
        if (k == key) return v;
    return {};
}

std::string moduleClass(const Node& node) {
    const std::string full = attribute(&node, "class");
    const std::string c = full.empty() ? node.className : full;
    return c.substr(c.rfind('.') + 1);
}

// The first module of class `cls` in tree order (depth first), or null.
const Node* findModuleOfClass(const Node* node, const std::string& cls) {
    if (!node) return nullptr;
    if (node->kind == NodeKind::Layer && moduleClass(*node) == cls) return node;
    for (const auto& c : node->children)
        if (const Node* found = findModuleOfClass(c.get(), cls)) return found;
    return nullptr;
}

// The module node a recognized layer's tensors lie in (carries the pickled attributes).
const Node* moduleOf(const SemanticLayer& l) {
    return l.tensors.empty() ? nullptr : l.tensors.begin()->second->parent;
}

json initializer(const char* cls, json config = json::object()) {
    if (!config.contains("seed") && std::string(cls) != "Zeros") config["seed"] = nullptr;
    return {{"class_name", cls}, {"config", config}};
}

json inputLayer(const json& shape) {
    json batch = json::array({nullptr});
    for (const auto& d : shape) batch.push_back(d);
    return {{"class_name", "InputLayer"},
            {"config",
             {{"batch_input_shape", batch},
              {"dtype", "float32"},
              {"sparse", false},
              {"ragged", false},
              {"name", "input_1"}}}};
}

json denseLayer(const std::string& name, std::int64_t units, const std::string& activation,
                bool useBias) {
    return {{"class_name", "Dense"},
            {"config",
             {{"name", name},
              {"trainable", true},
              {"dtype", "float32"},
              {"units", units},
              {"activation", activation},
              {"use_bias", useBias},
              {"kernel_initializer", initializer("GlorotUniform")},
              {"bias_initializer", initializer("Zeros")},
              {"kernel_regularizer", nullptr},
              {"bias_regularizer", nullptr},
              {"activity_regularizer", nullptr},
              {"kernel_constraint", nullptr},
              {"bias_constraint", nullptr}}}};
}

json recurrentLayer(const std::string& kind, const std::string& name, std::int64_t units,
                    bool useBias, bool returnSequences) {
    json c = {{"name", name},
              {"trainable", true},
              {"dtype", "float32"},
              {"return_sequences", returnSequences},
              {"return_state", false},
              {"go_backwards", false},
              {"stateful", false},
              {"unroll", false},
              {"time_major", false},
              {"units", units},
              {"activation", "tanh"},
              {"recurrent_activation", "sigmoid"},
              {"use_bias", useBias},
              {"kernel_initializer", initializer("GlorotUniform")},
              {"recurrent_initializer", initializer("Orthogonal", {{"gain", 1.0}})},
              {"bias_initializer", initializer("Zeros")},
              {"kernel_regularizer", nullptr},
              {"recurrent_regularizer", nullptr},
              {"bias_regularizer", nullptr},
              {"activity_regularizer", nullptr},
              {"kernel_constraint", nullptr},
              {"recurrent_constraint", nullptr},
              {"bias_constraint", nullptr},
              {"dropout", 0.0},
              {"recurrent_dropout", 0.0},
              {"implementation", 2}};
    if (kind == "LSTM") c["unit_forget_bias"] = true;
    if (kind == "GRU") c["reset_after"] = true;
    return {{"class_name", kind}, {"config", c}};
}

json dropoutLayer(const std::string& name, double rate) {
    return {{"class_name", "Dropout"},
            {"config",
             {{"name", name},
              {"trainable", true},
              {"dtype", "float32"},
              {"rate", rate},
              {"noise_shape", nullptr},
              {"seed", nullptr}}}};
}

// Accumulates the generated model: config layers, weights (kept alive here) and the report.
struct Builder {
    json layers = json::array();
    std::vector<KerasLayerWeights> weights;
    std::vector<std::unique_ptr<Node>> keep;
    TransferResult result;

    // Converts one PyTorch unit into the Keras layer `kerasName` (already in `layers`).
    void addWeights(const SemanticLayer& src, int stackIndex, const std::string& label,
                    const std::string& kerasName, const std::string& kerasKind) {
        TransferPair pair;
        pair.sourceUnit = label;
        pair.sourceKind = src.kind;
        pair.targetLayer = kerasName;
        pair.targetKind = kerasKind;
        KerasLayerWeights lw{kerasName, {}, {}};
        const json params = {{"bidirectional", false}};
        std::size_t i = 0;
        for (auto& [role, array] : torchUnitToKeras(src, stackIndex, params, pair)) {
            const std::string weightName = kerasName + "/" + role + ":0";
            pair.tensors.at(i++).targetPath = "model_weights/" + kerasName + "/" + weightName;
            keep.push_back(toTensorNode(array, weightName));
            lw.weights.emplace_back(weightName, keep.back()->tensor.get());
            ++result.tensorsWritten;
        }
        addBiasSplit(src, stackIndex, params, kerasName, lw);
        weights.push_back(std::move(lw));
        result.pairs.push_back(std::move(pair));
    }
    void addWeightless(const std::string& name) { weights.push_back({name, {}, {}}); }

    // Keras keeps only the sum of PyTorch's two recurrent biases: the pair goes along in our
    // own unlisted dataset (kTorchBiasSplitRole), so converting back restores both exactly.
    void addBiasSplit(const SemanticLayer& src, int stackIndex, const json& params,
                      const std::string& kerasName, KerasLayerWeights& lw) {
        const LayerRule* rule = findRule(src.kind);
        if (!rule) return;
        std::map<std::string, DenseArray> torch;
        for (const auto& [role, node] : src.tensors) torch[role] = DenseArray::fromNode(*node);
        LayerContext ctx;
        ctx.stackIndex = stackIndex;
        for (auto& [role, rows] : torchBiasSplits(torch, *rule, ctx, params)) {
            keep.push_back(toTensorNode(rows, role));
            lw.unlisted.emplace_back(role, keep.back()->tensor.get());
            result.notes.push_back("layer '" + kerasName +
                                   "': PyTorch's bias_ih and bias_hh kept in '" + "model_weights/" +
                                   kerasName + "/" + role +
                                   "' (Keras uses their sum; converting back restores both)");
        }
    }
};

// nn.LSTM/GRU -> [Dropout] -> nn.Linear(hidden, out).
bool buildRecurrentRegressor(const Model& source, const layers::LayerSet& set, Builder& b) {
    std::vector<const SemanticLayer*> weighted;
    for (const SemanticLayer& l : set.layers)
        if (hasWeights(l)) weighted.push_back(&l);
    if (weighted.size() != 2) return false;
    const SemanticLayer& rnn = *weighted[0];
    const SemanticLayer& fc = *weighted[1];
    if ((rnn.kind != "LSTM" && rnn.kind != "GRU") || fc.kind != "Dense") return false;
    if (rnn.params.value("bidirectional", false))
        throw FormatError(std::string(kTemplateRequired) + " (module '" + rnn.name +
                          "' is bidirectional)");
    const Node* rnnModule = moduleOf(rnn);
    if (attribute(rnnModule, "batch_first") == "False")
        throw FormatError(std::string(kTemplateRequired) + " (module '" + rnn.name +
                          "' is time-major: batch_first=False)");
    const auto ih = rnn.tensors.find("weight_ih_l0");
    const auto w = fc.tensors.find("weight");
    const std::int64_t hidden = rnn.params.value("units", std::int64_t(0));
    const int levels = rnn.params.value("num_layers", 0);
    if (ih == rnn.tensors.end() || w == fc.tensors.end() || ih->second->tensor->shape.size() != 2 ||
        w->second->tensor->shape.size() != 2 || w->second->tensor->shape[1] != hidden || levels < 1)
        return false;
    const bool useBias = rnn.params.value("use_bias", true);
    b.layers.push_back(inputLayer(json::array({nullptr, ih->second->tensor->shape[1]})));
    for (int k = 0; k < levels; ++k) {
        const std::string name = k == 0 ? rnn.name : rnn.name + "_" + std::to_string(k);
        b.layers.push_back(recurrentLayer(rnn.kind, name, hidden, useBias, k + 1 < levels));
        b.addWeights(rnn, k, levels > 1 ? rnn.name + "[" + std::to_string(k) + "]" : rnn.name, name,
                     rnn.kind);
    }
    // The Dropout module before the Linear, when the file has one (identity at inference).
    if (const Node* drop = findModuleOfClass(source.root.get(), "Dropout")) {
        const std::string p = attribute(drop, "p");
        b.layers.push_back(dropoutLayer(drop->name, p.empty() ? 0.0 : std::stod(p)));
        b.addWeightless(drop->name);
        if (p.empty())
            b.result.notes.push_back("Dropout '" + drop->name +
                                     "': rate unknown (state_dict), 0 written");
    }
    b.layers.push_back(
        denseLayer(fc.name, w->second->tensor->shape[0], "linear", fc.tensors.count("bias") > 0));
    b.addWeights(fc, 0, fc.name, fc.name, "Dense");
    b.result.notes.push_back("generated Keras Sequential: input (batch, time, " +
                             std::to_string(ih->second->tensor->shape[1]) + "), " +
                             std::to_string(levels) + " x " + rnn.kind + "(" +
                             std::to_string(hidden) + "), the Dense on the last step (as " +
                             rnn.name + " -> " + fc.name + " on output[:, -1])");
    if (attribute(rnnModule, "dropout") != "" && attribute(rnnModule, "dropout") != "0.0" &&
        attribute(rnnModule, "dropout") != "0")
        b.result.notes.push_back("the PyTorch inter-layer dropout (" +
                                 attribute(rnnModule, "dropout") +
                                 ", training only) has no Keras layer here");
    return true;
}

const std::map<std::string, std::string>& activationLayers() {
    static const std::map<std::string, std::string> a = {
        {"ReLU", "relu"}, {"Tanh", "tanh"}, {"Sigmoid", "sigmoid"},   {"Softmax", "softmax"},
        {"ELU", "elu"},   {"SELU", "selu"}, {"Softplus", "softplus"}, {"Identity", "linear"}};
    return a;
}

// A whole pickled nn.Sequential of Linear / activations / Dropout.
bool buildSequential(const Model& source, const layers::LayerSet& set, Builder& b) {
    const Node* seq = findModuleOfClass(source.root.get(), "Sequential");
    if (!seq) return false;
    std::map<const Node*, const SemanticLayer*> byModule;
    for (const SemanticLayer& l : set.layers)
        if (hasWeights(l)) byModule[moduleOf(l)] = &l;
    std::size_t denseIndex = 0;
    bool haveInput = false;
    for (const auto& child : seq->children) {
        if (child->kind != NodeKind::Layer) continue;
        const std::string cls = moduleClass(*child);
        if (cls == "Linear") {
            auto it = byModule.find(child.get());
            if (it == byModule.end()) return false;
            const SemanticLayer& l = *it->second;
            const auto& shape = l.tensors.at("weight")->tensor->shape;
            if (!haveInput) {
                b.layers.push_back(inputLayer(json::array({shape.at(1)})));
                haveInput = true;
            }
            const std::string name =
                denseIndex == 0 ? "dense" : "dense_" + std::to_string(denseIndex);
            ++denseIndex;
            b.layers.push_back(
                denseLayer(name, shape.at(0), "linear", l.tensors.count("bias") > 0));
            b.addWeights(l, 0, l.name, name, "Dense");
        } else if (activationLayers().count(cls)) {
            if (!haveInput) return false;
            json& last = b.layers.back();
            if (last["class_name"] == "Dense" && last["config"]["activation"] == "linear") {
                last["config"]["activation"] = activationLayers().at(cls);
            } else {
                const std::string name = "activation_" + std::to_string(b.weights.size());
                b.layers.push_back({{"class_name", "Activation"},
                                    {"config",
                                     {{"name", name},
                                      {"trainable", true},
                                      {"dtype", "float32"},
                                      {"activation", activationLayers().at(cls)}}}});
                b.addWeightless(name);
            }
        } else if (cls == "Dropout") {
            const std::string p = attribute(child.get(), "p");
            const std::string name = "dropout_" + std::to_string(b.weights.size());
            b.layers.push_back(dropoutLayer(name, p.empty() ? 0.0 : std::stod(p)));
            b.addWeightless(name);
        } else {
            throw FormatError(std::string(kTemplateRequired) + " (nn.Sequential item '" +
                              child->name + "' is a " + cls +
                              ", not Linear, Dropout or an activation)");
        }
    }
    if (denseIndex == 0) return false;
    b.result.notes.push_back("generated Keras Sequential from nn.Sequential '" + seq->name + "'");
    return true;
}

}  // namespace

TransferResult writeGeneratedKerasModel(const Model& source, const std::string& path) {
    if (source.format.rfind("keras", 0) == 0) throw FormatError("this SRC is already a Keras file");
    const layers::LayerSet set = layers::recognizeTorchLayers(source);
    Builder b;
    if (!buildSequential(source, set, b)) {
        b = Builder();
        if (!buildRecurrentRegressor(source, set, b)) throw FormatError(kTemplateRequired);
    }
    const json config = {{"class_name", "Sequential"},
                         {"config", {{"name", "sequential"}, {"layers", b.layers}}},
                         {"keras_version", "2.15.0"},
                         {"backend", "tensorflow"}};
    KerasFullModelImage image;
    image.modelConfig = config.dump();
    // InputLayer is not among a Sequential's layers in model_weights (Keras 2 does the same).
    image.layers = b.weights;
    b.result.generated = true;
    AtomicFile out(path);
    exportKerasFullModelH5(image, out);
    out.commit();
    return std::move(b.result);
}

}  // namespace ws::convert
