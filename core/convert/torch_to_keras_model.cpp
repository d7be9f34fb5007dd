// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/torch_to_keras_model.h"

#include <map>
#include <memory>

#include "convert/convert_engine.h"
#include "convert/keras_layer_configs.h"
#include "convert/rule_table.h"
#include "convert/torch_sequential_to_keras.h"
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
    "nn.Sequential models (Linear, ConvNd, BatchNorm, pooling, Flatten, Dropout, activations), "
    "because a PyTorch file does not say how its modules connect; give a Keras file of the same "
    "architecture with --template T.h5";

// The first module of class `cls` in tree order (depth first), or null.
const Node* findModuleOfClass(const Node* node, const std::string& cls) {
    if (!node) return nullptr;
    if (node->kind == NodeKind::Layer && torchModuleClass(*node) == cls) return node;
    for (const auto& c : node->children)
        if (const Node* found = findModuleOfClass(c.get(), cls)) return found;
    return nullptr;
}

// The module node a recognized layer's tensors lie in (carries the pickled attributes).
const Node* moduleOf(const SemanticLayer& l) {
    return l.tensors.empty() ? nullptr : l.tensors.begin()->second->parent;
}

// Accumulates the generated model: config layers, weights (kept alive here) and the report.
struct Builder {
    json layers = json::array();
    std::vector<KerasLayerWeights> weights;
    std::vector<std::unique_ptr<Node>> keep;
    TransferResult result;

    // Converts one PyTorch unit into the Keras layer `kerasName` (already in `layers`).
    void addWeights(const SemanticLayer& src, int stackIndex, const std::string& label,
                    const std::string& kerasName, const std::string& kerasKind,
                    const std::vector<std::int64_t>& preFlattenShape = {},
                    const std::string& bidirectionalInner = "") {
        TransferPair pair;
        pair.sourceUnit = label;
        pair.sourceKind = src.kind;
        pair.targetLayer = kerasName;
        pair.targetKind = kerasKind;
        KerasLayerWeights lw{kerasName, {}, {}};
        const json params = {{"bidirectional", !bidirectionalInner.empty()}};
        std::size_t i = 0;
        for (auto& [role, array] :
             torchUnitToKeras(src, stackIndex, params, pair, preFlattenShape)) {
            // Bidirectional: "<layer>/forward_lstm/kernel:0", "<layer>/backward_lstm/...".
            const bool backward = role.rfind("backward.", 0) == 0;
            const std::string scope =
                bidirectionalInner.empty()
                    ? ""
                    : (backward ? "backward_" : "forward_") + bidirectionalInner + "/";
            const std::string weightName =
                kerasName + "/" + scope + (backward ? role.substr(9) : role) + ":0";
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
        if (params.value("bidirectional", false)) {
            // Not written for the two directions yet: the way back gives bias_hh = 0.
            result.notes.push_back("layer '" + kerasName +
                                   "': Keras keeps the sum of bias_ih and bias_hh; converting "
                                   "back gives bias_ih = that sum and bias_hh = 0");
            return;
        }
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

// Keras' name of the cell layer inside a Bidirectional wrapper, by kind.
std::string innerName(const std::string& kind) {
    return kind == "SimpleRNN" ? "simple_rnn" : kind == "GRU" ? "gru" : "lstm";
}

// nn.LSTM / nn.GRU / nn.RNN (stacked, bidirectional, batch-first or time-major) -> [Dropout] ->
// nn.Linear on the last step. A pickle does not record forward(): the generated model follows
// Keras' convention, stated in the notes: the head reads the last step's output, and for a
// bidirectional module the concatenation of each direction's final state (as Keras'
// Bidirectional returns it).
bool buildRecurrentRegressor(const Model& source, const layers::LayerSet& set, Builder& b) {
    std::vector<const SemanticLayer*> weighted;
    for (const SemanticLayer& l : set.layers)
        if (hasWeights(l)) weighted.push_back(&l);
    if (weighted.size() != 2) return false;
    const SemanticLayer& rnn = *weighted[0];
    const SemanticLayer& fc = *weighted[1];
    if (!isRecurrentKind(rnn.kind) || fc.kind != "Dense") return false;
    const bool bidirectional = rnn.params.value("bidirectional", false);
    const Node* rnnModule = moduleOf(rnn);
    const bool timeMajor = torchAttribute(rnnModule, "batch_first") == "False";
    const auto ih = rnn.tensors.find("weight_ih_l0");
    const auto w = fc.tensors.find("weight");
    const std::int64_t hidden = rnn.params.value("units", std::int64_t(0));
    const int levels = rnn.params.value("num_layers", 0);
    if (ih == rnn.tensors.end() || w == fc.tensors.end() || ih->second->tensor->shape.size() != 2 ||
        w->second->tensor->shape.size() != 2 ||
        w->second->tensor->shape[1] != hidden * (bidirectional ? 2 : 1) || levels < 1)
        return false;
    const bool useBias = rnn.params.value("use_bias", true);
    std::string activation = torchAttribute(rnnModule, "nonlinearity");
    if (rnn.kind == "SimpleRNN" && activation.empty()) {
        activation = "tanh";
        b.result.notes.push_back("nn.RNN '" + rnn.name +
                                 "': nonlinearity not in the file (state_dict), tanh assumed");
    }
    b.layers.push_back(kerasInputLayer({-1, ih->second->tensor->shape[1]}));
    for (int k = 0; k < levels; ++k) {
        const std::string name = k == 0 ? rnn.name : rnn.name + "_" + std::to_string(k);
        nlohmann::json layer = kerasRecurrent(rnn.kind, bidirectional ? innerName(rnn.kind) : name,
                                              hidden, useBias, k + 1 < levels);
        if (!activation.empty()) layer["config"]["activation"] = activation;
        if (bidirectional)
            layer = kerasLayer("Bidirectional", name, {{"layer", layer}, {"merge_mode", "concat"}});
        b.layers.push_back(layer);
        b.addWeights(rnn, k, levels > 1 ? rnn.name + "[" + std::to_string(k) + "]" : rnn.name, name,
                     rnn.kind, {}, bidirectional ? innerName(rnn.kind) : "");
    }
    if (timeMajor) {
        b.result.inputLayout = "TNF -> NTF";
        b.result.notes.push_back("input layout: PyTorch's '" + rnn.name +
                                 "' is time-major (batch_first=False, input (time, batch, "
                                 "features)); the Keras model takes (batch, time, features)");
    }
    // The Dropout module before the Linear, when the file has one (identity at inference).
    if (const Node* drop = findModuleOfClass(source.root.get(), "Dropout")) {
        const std::string p = torchAttribute(drop, "p");
        b.layers.push_back(kerasDropout(drop->name, p.empty() ? 0.0 : std::stod(p)));
        b.addWeightless(drop->name);
        if (p.empty())
            b.result.notes.push_back("Dropout '" + drop->name +
                                     "': rate unknown (state_dict), 0 written");
    }
    b.layers.push_back(
        kerasDense(fc.name, w->second->tensor->shape[0], fc.tensors.count("bias") > 0));
    b.addWeights(fc, 0, fc.name, fc.name, "Dense");
    b.result.notes.push_back(
        "generated Keras Sequential: input (batch, time, " +
        std::to_string(ih->second->tensor->shape[1]) + "), " + std::to_string(levels) + " x " +
        (bidirectional ? "Bidirectional " : "") + rnn.kind + "(" + std::to_string(hidden) +
        "), the Dense on the last step (as " + rnn.name + " -> " + fc.name + " on output" +
        (timeMajor ? "[-1]" : "[:, -1]") + ")" +
        (bidirectional ? "; convention: the head reads the concatenation of each direction's "
                         "final state (Keras' Bidirectional), i.e. torch.cat((h_n[-2], "
                         "h_n[-1]), 1) in PyTorch, not output[:, -1]"
                       : ""));
    if (torchAttribute(rnnModule, "dropout") != "" &&
        torchAttribute(rnnModule, "dropout") != "0.0" &&
        torchAttribute(rnnModule, "dropout") != "0")
        b.result.notes.push_back("the PyTorch inter-layer dropout (" +
                                 torchAttribute(rnnModule, "dropout") +
                                 ", training only) has no Keras layer here");
    return true;
}

// A whole pickled nn.Sequential, item by item (torch_sequential_to_keras.h).
bool buildSequential(const Model& source, const layers::LayerSet& set, Builder& b) {
    const Node* seq = findModuleOfClass(source.root.get(), "Sequential");
    if (!seq) return false;
    std::map<const Node*, const SemanticLayer*> byModule;
    for (const SemanticLayer& l : set.layers)
        if (hasWeights(l)) byModule[moduleOf(l)] = &l;
    KerasChain chain;
    try {
        chain = kerasChainOfSequential(*seq, byModule);
    } catch (const FormatError& e) {
        throw FormatError(std::string(kTemplateRequired) + " (" + e.what() + ")");
    }
    b.layers.push_back(kerasInputLayer(chain.inputShape));
    for (const KerasStep& step : chain.steps) {
        b.layers.push_back(step.layer);
        const std::string name = step.layer["config"]["name"].get<std::string>();
        if (step.source)
            b.addWeights(*step.source, 0, step.source->name, name,
                         step.layer["class_name"].get<std::string>(), step.preFlattenShape);
        else
            b.addWeightless(name);
    }
    b.result.notes.push_back("generated Keras Sequential from nn.Sequential '" + seq->name + "'");
    b.result.notes.insert(b.result.notes.end(), chain.notes.begin(), chain.notes.end());
    b.result.inputLayout = chain.inputLayout;
    return true;
}

}  // namespace

TransferResult writeGeneratedKerasModel(const Model& source, const std::string& path) {
    if (frameworkOf(source.format) == Framework::Keras)
        throw FormatError("this SRC is already a Keras file");
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
