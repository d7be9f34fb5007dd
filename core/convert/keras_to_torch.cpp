// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/keras_to_torch.h"

#include <sstream>

#include "convert/activation_table.h"
#include "convert/rule_table.h"
#include "layers/keras_layer_recognition.h"
#include "model/error.h"

namespace ws::convert {

using layers::SemanticLayer;

namespace {

std::string torchModuleName(const LayerRule& rule, const TorchBlock& block) {
    if (rule.kind == "BatchNormalization") {
        const std::size_t n = block.rankIn >= 2 ? block.rankIn - 1 : 1;
        return "nn.BatchNorm" + std::to_string(n) + "d";
    }
    return rule.torchModule;
}

// What the user must know about a layer's computation beyond its weights.
std::vector<std::string> layerNotes(const SemanticLayer& l, int kerasMajor,
                                    std::vector<std::string>& warnings) {
    std::vector<std::string> notes;
    for (const char* key : {"activation", "recurrent_activation"}) {
        if (!l.params.contains(key) || !l.params[key].is_string()) continue;
        const std::string name = l.params[key].get<std::string>();
        if (name == "softmax" || name == "log_softmax") continue;  // over the feature axis
        const auto act = torchActivation(name, kerasMajor);
        if (!act) {
            warnings.push_back("layer '" + l.name + "': " + key + " '" + name +
                               "' has no PyTorch counterpart known to Weightsmith");
        } else if (!act->note.empty()) {
            notes.push_back(std::string(key) + ": " + act->note);
        }
    }
    const bool recurrent = l.kind == "LSTM" || l.kind == "GRU" || l.kind == "SimpleRNN";
    if (recurrent) {
        const std::string a = l.params.value("activation", "tanh");
        const std::string r = l.params.value("recurrent_activation", "sigmoid");
        if (!nativeRecurrentActivations(l.kind, a, r))
            warnings.push_back(
                "layer '" + l.name + "' (" + l.kind + ") uses activation=" + a +
                (l.kind == "SimpleRNN" ? "" : ", recurrent_activation=" + r) + ", which torch.nn." +
                (l.kind == "SimpleRNN" ? "RNN" : l.kind) +
                " cannot compute: the exported weights are right, but only the "
                "generated module (--emit-module, its own recurrence) reproduces Keras");
    }
    if (l.kind == "BatchNormalization") {
        std::ostringstream s;
        s << "eps=" << l.params.value("epsilon", 1e-3) << " (Keras), momentum_torch = 1 - "
          << l.params.value("momentum", 0.99) << "; use the module in eval() mode";
        notes.push_back(s.str());
    }
    if (l.kind == "LayerNormalization")
        notes.push_back("eps=" + std::to_string(l.params.value("epsilon", 1e-3)));
    if (l.params.value("keras1_gates_assembled", false))
        notes.push_back(
            "Keras 1 per-gate arrays assembled into Keras 2 kernels (gate order i,f,c,o / z,r,h)");
    return notes;
}

}  // namespace

KerasToTorchResult convertKerasToTorch(const Model& keras, const KerasToTorchOptions& options) {
    KerasToTorchResult result;
    result.layers = layers::recognizeKerasLayers(keras, options.architecture);
    result.plan = planTorchModel(result.layers, options.plan);
    result.stateDict = std::make_unique<Model>();
    result.stateDict->format = "torch state_dict (converted)";
    result.stateDict->root = std::make_unique<Node>(NodeKind::Group, "");
    const bool theano = result.layers.backend == "theano";
    bool convolutions = false;
    for (const SemanticLayer& l : result.layers.layers) {
        const LayerRule* rule = findRule(l.kind);
        for (const TensorRule& t : rule ? rule->tensors : std::vector<TensorRule>{})
            convolutions |= !t.theanoFlipAxes.empty();
    }
    if (theano && convolutions)
        result.warnings.push_back(
            "Theano-backend file: convolution kernels flipped on their spatial "
            "axes, as Keras does when it loads the file under TensorFlow");
    result.notes = result.plan.notes;

    for (const TorchBlock& block : result.plan.blocks) {
        if (block.attr.empty()) continue;
        const LayerRule* rule = findRule(block.kind);
        if (!rule) continue;  // planTorchModel refused weighted layers without rules
        for (std::size_t k = 0; k < block.layers.size(); ++k) {
            const SemanticLayer& l = result.layers.layers[block.layers[k]];
            LayerContext ctx;
            ctx.torchPrefix = block.attr + ".";
            ctx.stackIndex = int(k);
            ctx.preFlattenShape = block.preFlattenShape;
            ctx.theanoKernels = theano;
            MappingEntry entry;
            entry.sourceLayer = l.name;
            entry.sourceClass = l.sourceClass;
            entry.kind = l.kind;
            entry.torchModule = torchModuleName(*rule, block);
            entry.torchPrefix = ctx.torchPrefix;
            entry.notes = layerNotes(l, result.layers.kerasMajor, result.warnings);
            if (block.layers.size() > 1)
                entry.notes.push_back("layer " + std::to_string(k) + " of a num_layers=" +
                                      std::to_string(block.layers.size()) + " stack");
            for (TorchTensor& t : kerasLayerToTorch(l, *rule, ctx, options.engine)) {
                if (!t.warning.empty()) result.warnings.push_back(t.warning);
                auto node = toTensorNode(t.array, t.name);
                if (result.stateDict->find(t.name))
                    throw FormatError("two Keras tensors map to the PyTorch name '" + t.name + "'");
                result.stateDict->root->addChild(std::move(node));
                result.stateDict->reindex();
                const Node* src = nullptr;
                for (const auto* found : {&l.tensors, &l.extras})
                    for (const auto& [role, n] : *found)
                        if (n->path == t.source) src = n;
                entry.sourceShapes.push_back(src ? shapeToString(src->tensor->shape) : "-");
                t.array.data.clear();
                entry.tensors.push_back(std::move(t));
            }
            result.mapping.push_back(std::move(entry));
        }
    }
    for (const SemanticLayer& l : result.layers.layers)
        if (!hasWeights(l) && l.params.contains("activation") &&
            l.params["activation"].is_string()) {
            const std::string a = l.params["activation"].get<std::string>();
            if (a != "softmax" && a != "log_softmax" &&
                !torchActivation(a, result.layers.kerasMajor))
                result.warnings.push_back("layer '" + l.name + "': activation '" + a +
                                          "' has no PyTorch counterpart known to Weightsmith");
        }
    return result;
}

std::string mappingReportText(const KerasToTorchResult& r) {
    std::ostringstream s;
    s << "Keras " << (r.layers.kerasVersion.empty() ? "?" : r.layers.kerasVersion) << " "
      << r.layers.modelClass << " -> PyTorch state_dict\n";
    for (const MappingEntry& e : r.mapping) {
        s << e.sourceLayer << " (" << e.sourceClass << ") -> " << e.torchPrefix << "* ("
          << e.torchModule << ")\n";
        for (std::size_t i = 0; i < e.tensors.size(); ++i) {
            const TorchTensor& t = e.tensors[i];
            s << "  " << t.source << " " << e.sourceShapes[i] << " -> " << t.name << " "
              << shapeToString(t.array.shape) << "  [" << t.transform << "]\n";
        }
        for (const std::string& n : e.notes) s << "  note: " << n << "\n";
    }
    for (const std::string& n : r.notes) s << "note: " << n << "\n";
    for (const std::string& w : r.warnings) s << "WARNING: " << w << "\n";
    return s.str();
}

nlohmann::json mappingReportJson(const KerasToTorchResult& r) {
    nlohmann::json j;
    j["source"] = {{"framework", "keras"},
                   {"keras_version", r.layers.kerasVersion},
                   {"backend", r.layers.backend},
                   {"model_class", r.layers.modelClass}};
    j["layers"] = nlohmann::json::array();
    for (const MappingEntry& e : r.mapping) {
        nlohmann::json layer = {
            {"source_layer", e.sourceLayer}, {"source_class", e.sourceClass}, {"kind", e.kind},
            {"torch_module", e.torchModule}, {"torch_prefix", e.torchPrefix}, {"notes", e.notes}};
        layer["tensors"] = nlohmann::json::array();
        for (std::size_t i = 0; i < e.tensors.size(); ++i)
            layer["tensors"].push_back({{"source", e.tensors[i].source},
                                        {"source_shape", e.sourceShapes[i]},
                                        {"target", e.tensors[i].name},
                                        {"target_shape", e.tensors[i].array.shape},
                                        {"transform", e.tensors[i].transform}});
        j["layers"].push_back(layer);
    }
    j["notes"] = r.notes;
    j["warnings"] = r.warnings;
    return j;
}

}  // namespace ws::convert
