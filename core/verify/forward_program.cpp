// SPDX-License-Identifier: GPL-3.0-or-later
#include "verify/forward_program.h"

#include <map>

#include "convert/torch_plan.h"
#include "layers/keras_layer_recognition.h"
#include "layers/torch_layer_recognition.h"
#include "model/error.h"

namespace ws::verify {

namespace {

using layers::LayerSet;
using layers::SemanticLayer;

bool isKeras(const Model& m) { return m.format.rfind("keras", 0) == 0; }

Array arrayOf(const Node& node) {
    if (!node.tensor) throw FormatError("'" + node.path + "' is not a tensor");
    Array a;
    a.shape = node.tensor->shape;
    a.values = node.tensor->toDoubles();
    return a;
}

ForwardStep kerasStep(const SemanticLayer& layer) {
    ForwardStep step;
    step.name = layer.name;
    step.kind = layer.kind;
    step.params = layer.params.dump();
    for (const auto& [role, node] : layer.tensors) step.tensors[role] = arrayOf(*node);
    return step;
}

std::vector<ForwardStep> kerasSteps(const LayerSet& set) {
    std::vector<ForwardStep> steps;
    for (const SemanticLayer& l : set.layers) {
        steps.push_back(kerasStep(l));
        // Theano-backend files have convolution kernels Keras flips when it loads them.
        if (!set.backend.empty()) {
            nlohmann::json params = l.params;
            params["keras_backend"] = set.backend;
            steps.back().params = params.dump();
        }
    }
    return steps;
}

bool isRecurrent(const std::string& k) { return k == "LSTM" || k == "GRU" || k == "SimpleRNN"; }

// Weighted torch layers by module name, and in file order.
struct TorchLayers {
    std::map<std::string, const SemanticLayer*> byName;
    std::vector<const SemanticLayer*> weighted;
};

// The torch module for each weighted block: by name when every block's attribute names one,
// else the n-th weighted module for the n-th weighted block (same kind required).
std::vector<const SemanticLayer*> pairBlocks(const convert::TorchPlan& plan, const TorchLayers& t,
                                             const LayerSet& keras,
                                             std::vector<std::string>& notes) {
    std::vector<const SemanticLayer*> out(plan.blocks.size(), nullptr);
    bool allNamed = true;
    std::size_t weightedBlocks = 0;
    for (std::size_t i = 0; i < plan.blocks.size(); ++i) {
        const auto& b = plan.blocks[i];
        if (b.attr.empty()) continue;
        ++weightedBlocks;
        auto it = t.byName.find(b.attr);
        if (it == t.byName.end())
            allNamed = false;
        else
            out[i] = it->second;
    }
    if (allNamed && weightedBlocks == t.weighted.size()) return out;
    if (weightedBlocks != t.weighted.size())
        throw FormatError("the PyTorch file has " + std::to_string(t.weighted.size()) +
                          " weighted modules but the Keras model plans " +
                          std::to_string(weightedBlocks) + " (stacked recurrent layers merged)");
    notes.push_back("PyTorch modules paired with Keras layers by order (names differ)");
    std::size_t next = 0;
    for (std::size_t i = 0; i < plan.blocks.size(); ++i) {
        const auto& b = plan.blocks[i];
        if (b.attr.empty()) continue;
        const SemanticLayer* m = t.weighted[next++];
        if (m->kind != b.kind)
            throw FormatError("PyTorch module '" + m->name + "' (" + m->kind +
                              ") does not pair with Keras layer '" +
                              keras.layers[b.layers.front()].name + "' (" + b.kind + ")");
        out[i] = m;
    }
    return out;
}

// What a compared torch step's output is: the module's own name in the file (a module paired by
// order is not named like the plan's attribute), and for a num_layers stack that its output is
// the last level's ("rnn (layer 2 of 2)", compared with the stack's last Keras layer).
std::string torchOutputName(const SemanticLayer& module, std::size_t stackLevels) {
    if (stackLevels < 2) return module.name;
    const std::string n = std::to_string(stackLevels);
    return module.name + " (layer " + n + " of " + n + ")";
}

// The PyTorch side: one step per planned module, with the Keras hyper-parameters the generated
// module would use (activation, padding, eps) and the state_dict's tensors. `outputNames`: for
// each step, torchOutputName of its module; empty for a step without weights (not compared).
std::vector<ForwardStep> torchSteps(const LayerSet& keras, const Model& torchModel,
                                    std::vector<std::size_t>& lastKerasLayer,
                                    std::vector<std::string>& outputNames,
                                    std::vector<std::string>& notes) {
    const LayerSet torchSet = layers::recognizeTorchLayers(torchModel);
    TorchLayers t;
    for (const SemanticLayer& l : torchSet.layers)
        if (layers::hasWeights(l)) {
            t.byName[l.name] = &l;
            t.weighted.push_back(&l);
        }
    // A merged stack is one nn.LSTM with num_layers; a file converted with --no-merge-stacked
    // has one module per layer: try the merged plan first.
    convert::TorchPlan plan;
    std::vector<const SemanticLayer*> modules;
    std::string firstError;
    for (bool merge : {true, false}) {
        try {
            convert::PlanOptions options;
            options.mergeStacks = merge;
            plan = convert::planTorchModel(keras, options);
            modules = pairBlocks(plan, t, keras, notes);
            firstError.clear();
            break;
        } catch (const FormatError& e) {
            if (firstError.empty()) firstError = e.what();
        }
    }
    if (!firstError.empty()) throw FormatError(firstError);

    std::vector<ForwardStep> steps;
    for (std::size_t i = 0; i < plan.blocks.size(); ++i) {
        const auto& b = plan.blocks[i];
        const SemanticLayer& first = keras.layers[b.layers.front()];
        const SemanticLayer& last = keras.layers[b.layers.back()];
        ForwardStep step;
        step.name = b.attr.empty() ? first.name : b.attr;
        step.kind = b.kind;
        nlohmann::json params = first.params;
        if (isRecurrent(b.kind)) {
            params["num_layers"] = b.layers.size();
            params["return_sequences"] = last.params.value("return_sequences", false);
        }
        step.params = params.dump();
        if (modules[i]) {
            for (const auto& [role, node] : modules[i]->tensors)
                step.tensors[role] = arrayOf(*node);
        }
        steps.push_back(std::move(step));
        lastKerasLayer.push_back(b.layers.back());
        outputNames.push_back(modules[i] ? torchOutputName(*modules[i], b.layers.size())
                                         : std::string());
    }
    return steps;
}

}  // namespace

ForwardProgram buildForwardProgram(const Model& a, const Model& b,
                                   const nlohmann::json& architecture) {
    if (!isKeras(a) && !isKeras(b))
        throw FormatError(
            "one of the two models must be a Keras file with a model config: a PyTorch state_dict "
            "does not record how its "
            "modules connect, so the Keras model's config gives both sides their chain");
    ForwardProgram program;
    program.a.file = a.filePath;
    program.b.file = b.filePath;
    const Model& keras = isKeras(a) ? a : b;
    const Model& other = isKeras(a) ? b : a;
    const LayerSet kerasSet = layers::recognizeKerasLayers(keras, architecture);
    if (!kerasSet.chain)
        throw FormatError("the Keras model is not a chain of layers (" + kerasSet.notChainReason +
                          "); verify runs chains only");
    program.inputShape = kerasSet.inputShape;
    for (const SemanticLayer& l : kerasSet.layers)
        if (l.kind == "Embedding") {
            program.tokenRange = l.params.value("input_dim", 0);
            break;
        } else if (layers::hasWeights(l)) {
            break;
        }

    Side kerasSide, otherSide;
    kerasSide.request.semantics = "keras";
    kerasSide.request.kerasMajor = kerasSet.kerasMajor ? kerasSet.kerasMajor : 2;
    kerasSide.request.steps = kerasSteps(kerasSet);
    otherSide.request.kerasMajor = kerasSide.request.kerasMajor;

    std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (keras step, other step)
    // (keras side, other side), each "<framework> <layer>": the label says which file's layer.
    std::vector<std::pair<std::string, std::string>> labels;
    if (isKeras(other)) {
        const LayerSet otherSet = layers::recognizeKerasLayers(other, architecture);
        if (otherSet.layers.size() != kerasSet.layers.size())
            throw FormatError("the two Keras models have different layer counts (" +
                              std::to_string(kerasSet.layers.size()) + " and " +
                              std::to_string(otherSet.layers.size()) + ")");
        otherSide.request.semantics = "keras";
        otherSide.request.steps = kerasSteps(otherSet);
        for (std::size_t i = 0; i < kerasSet.layers.size(); ++i) {
            if (kerasSet.layers[i].kind != otherSet.layers[i].kind)
                throw FormatError("layer " + std::to_string(i) + " is " + kerasSet.layers[i].kind +
                                  " in one model and " + otherSet.layers[i].kind + " in the other");
            if (layers::hasWeights(kerasSet.layers[i])) {
                pairs.emplace_back(i, i);
                labels.emplace_back("Keras " + kerasSet.layers[i].name,
                                    "Keras " + otherSet.layers[i].name);
            }
        }
    } else {
        otherSide.request.semantics = "torch";
        std::vector<std::size_t> lastKeras;
        std::vector<std::string> outputNames;
        otherSide.request.steps =
            torchSteps(kerasSet, other, lastKeras, outputNames, program.notes);
        for (std::size_t j = 0; j < lastKeras.size(); ++j)
            if (!outputNames[j].empty()) {
                pairs.emplace_back(lastKeras[j], j);
                labels.emplace_back("Keras " + kerasSet.layers[lastKeras[j]].name,
                                    "PyTorch " + outputNames[j]);
            }
    }
    kerasSide.file = keras.filePath;
    otherSide.file = other.filePath;
    const bool kerasIsA = isKeras(a);
    program.a = kerasIsA ? kerasSide : otherSide;
    program.b = kerasIsA ? otherSide : kerasSide;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        LayerPair p;
        p.label = kerasIsA ? labels[i].first + " <-> " + labels[i].second
                           : labels[i].second + " <-> " + labels[i].first;
        p.stepA = kerasIsA ? pairs[i].first : pairs[i].second;
        p.stepB = kerasIsA ? pairs[i].second : pairs[i].first;
        program.pairs.push_back(p);
    }
    return program;
}

}  // namespace ws::verify
