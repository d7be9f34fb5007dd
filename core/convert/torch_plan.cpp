// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/torch_plan.h"

#include <cctype>
#include <set>

#include "convert/rule_table.h"
#include "model/error.h"

namespace ws::convert {

using layers::SemanticLayer;

namespace {

bool isRecurrent(const std::string& k) { return k == "LSTM" || k == "GRU" || k == "SimpleRNN"; }

bool isDropout(const std::string& k) {
    return k == "Dropout" || k == "SpatialDropout1D" || k == "SpatialDropout2D" ||
           k == "GaussianDropout" || k == "GaussianNoise" || k == "AlphaDropout";
}

// Layers that read the last axis as features: they need the channels-last layout.
bool needsChannelsLast(const std::string& k) {
    return k == "Dense" || isRecurrent(k) || k == "LayerNormalization" || k == "Embedding";
}

std::string pythonIdentifier(const std::string& name, std::set<std::string>& used) {
    static const std::set<std::string> reserved = {
        "forward",    "training",   "eval",    "train",   "float",    "double",
        "half",       "to",         "cuda",    "cpu",     "type",     "apply",
        "state_dict", "parameters", "buffers", "modules", "children", "zero_grad"};
    std::string id;
    for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "layer_" + id;
    if (reserved.count(id)) id += "_";
    std::string unique = id;
    for (int i = 2; used.count(unique); ++i) unique = id + "_" + std::to_string(i);
    used.insert(unique);
    return unique;
}

// Whether `next` can join the recurrent stack ending in `last` as one num_layers module.
bool stacksWith(const SemanticLayer& last, const SemanticLayer& next) {
    const auto& a = last.params;
    const auto& b = next.params;
    auto same = [&](const char* key) {
        return a.value(key, nlohmann::json()) == b.value(key, nlohmann::json());
    };
    if (last.kind != next.kind || !a.value("return_sequences", false)) return false;
    for (const char* key : {"units", "activation", "recurrent_activation", "use_bias",
                            "bidirectional", "merge_mode", "reset_after"})
        if (!same(key)) return false;
    if (a.value("bidirectional", false) && a.value("merge_mode", "concat") != "concat")
        return false;
    return !a.value("go_backwards", false) && !b.value("go_backwards", false);
}

// Whether a normalization layer's `axis` is the last one: -1, or its index when the input
// shape is known (an integer axis with an unknown input shape is taken as the last).
bool normalizesLastAxis(const SemanticLayer& layer, nlohmann::json& axis) {
    const auto given = layer.params.value("axis", nlohmann::json(-1));
    axis = given.is_array() && given.size() == 1 ? given[0] : given;
    if (axis == -1) return true;
    return axis.is_number_integer() &&
           (layer.inputShape.empty() ||
            axis.get<std::int64_t>() == std::int64_t(layer.inputShape.size()));
}

}  // namespace

bool isSpatialKind(const std::string& k) {
    return k.rfind("Conv", 0) == 0 || k == "DepthwiseConv2D" || k == "SeparableConv2D" ||
           k.find("Pooling") != std::string::npos;
}

std::string layerRefusal(const SemanticLayer& layer) {
    const auto& p = layer.params;
    if (layer.kind == "GRU" && !p.value("reset_after", false))
        return "GRU layer '" + layer.name +
               "' has reset_after=False: Keras then applies the reset gate before the recurrent "
               "matrix product (h~ = act(W x + U (r * h) + b)), which torch.nn.GRU cannot compute "
               "(it always uses r * (U h + b_hn)); only reset_after=True GRUs convert";
    if (p.value("nested_model", false))
        return "layer '" + layer.name + "' is a nested model (" + layer.sourceClass +
               "); nested models are not flattened into one chain yet";
    if (!hasWeights(layer) && findRule(layer.kind))
        return layer.kind + " layer '" + layer.name +
               "' has no weights in the file (a weights file of another model, or a damaged one?)";
    if (hasWeights(layer) && !findRule(layer.kind)) {
        std::string kinds;
        for (const auto& r : ruleTable()) kinds += (kinds.empty() ? "" : ", ") + r.kind;
        return "layer '" + layer.name + "' (" + layer.sourceClass +
               ") has weights but no conversion rule; supported kinds: " + kinds;
    }
    if (isSpatialKind(layer.kind) && p.value("data_format", "channels_last") == "channels_first")
        return "layer '" + layer.name + "' (" + layer.sourceClass +
               ") computes channels_first (Theano dim_ordering 'th'), whose kernel layout and "
               "Flatten order differ; not supported yet";
    if (p.value("groups", 1) != 1)
        return "layer '" + layer.name +
               "' is a grouped convolution (groups=" + std::to_string(p.value("groups", 1)) +
               "), which has no rule yet";
    if (isRecurrent(layer.kind) && p.value("time_major", false))
        return "recurrent layer '" + layer.name + "' is time-major, which is not supported";
    nlohmann::json axis;
    if (layer.kind == "BatchNormalization" && !normalizesLastAxis(layer, axis))
        return "BatchNormalization layer '" + layer.name + "' normalizes axis " + axis.dump() +
               ", not the channels axis; not supported";
    if (layer.kind == "LayerNormalization") {
        if (!normalizesLastAxis(layer, axis))
            return "LayerNormalization layer '" + layer.name + "' normalizes axis " + axis.dump() +
                   ", not the last axis as nn.LayerNorm does; not supported";
        if (p.value("rms_scaling", false))
            return "LayerNormalization layer '" + layer.name +
                   "' has rms_scaling=True (RMS normalization), which nn.LayerNorm does not "
                   "compute; not supported";
    }
    return {};
}

TorchPlan planTorchModel(const layers::LayerSet& set, const PlanOptions& options) {
    TorchPlan plan;
    for (const SemanticLayer& l : set.layers) {
        const std::string why = layerRefusal(l);
        if (!why.empty()) throw FormatError(why);
    }
    bool hasFlatten = false;
    for (const SemanticLayer& l : set.layers) hasFlatten |= l.kind == "Flatten";
    if (!set.chain && hasFlatten)
        throw FormatError(
            "the model is not a chain of layers (" + set.notChainReason +
            ") and has a Flatten: the Dense kernel rows after it cannot be reordered safely");

    // The input is channels-first when convolutions/pooling see it before any layer that reads
    // the last axis as features.
    std::size_t rank = set.inputShape.size();
    bool cf = false;
    for (const SemanticLayer& l : set.layers) {
        if (isSpatialKind(l.kind)) {
            cf = rank >= 2 || rank == 0;
            break;
        }
        if (needsChannelsLast(l.kind) || l.kind == "Flatten") break;
    }
    plan.inputChannelsFirst = cf;

    std::set<std::string> used;
    bool pendingFlatten = false, pendingUnknown = false;
    std::vector<std::int64_t> pendingShape;
    std::string flattenName;
    for (std::size_t i = 0; i < set.layers.size(); ++i) {
        const SemanticLayer& l = set.layers[i];
        std::size_t inRank = !l.inputShape.empty() ? l.inputShape.size() : rank;
        // Unknown shapes: a convolution or pooling still tells its input's rank.
        if (inRank == 0 && isSpatialKind(l.kind) && l.kind.rfind("Global", 0) != 0)
            for (std::size_t n = 1; n <= 3; ++n)
                if (l.kind.find(std::to_string(n) + "D") != std::string::npos) inRank = n + 1;
        TorchBlock b;
        b.kind = l.kind;
        b.layers = {i};
        b.rankIn = inRank;
        if (isSpatialKind(l.kind) && inRank >= 2) cf = true;
        if (needsChannelsLast(l.kind)) cf = false;
        b.channelsFirstIn = cf && inRank >= 2;
        if (l.kind == "Flatten") {
            if (b.channelsFirstIn && inRank >= 2) {
                pendingFlatten = true;
                pendingUnknown = l.inputShape.empty();
                pendingShape = l.inputShape;
                flattenName = l.name;
            }
            cf = false;
        }
        if (l.kind.rfind("Global", 0) == 0) cf = false;
        if (hasWeights(l)) {
            if (pendingFlatten) {
                if (l.kind != "Dense")
                    throw FormatError("layer '" + l.name + "' (" + l.kind + ") follows Flatten '" +
                                      flattenName +
                                      "' of a channels-first tensor; only a Dense "
                                      "kernel can be reordered there");
                if (pendingUnknown)
                    throw FormatError(
                        "Dense layer '" + l.name + "' follows Flatten '" + flattenName +
                        "' but the shape before the Flatten is unknown (the config gives no input "
                        "shape, or a layer before it has an output shape that cannot be derived): "
                        "its "
                        "kernel rows are in Keras' channels-last order and cannot be reordered to "
                        "PyTorch's channels-first order");
                b.preFlattenShape = pendingShape;
                pendingFlatten = false;
            }
            b.attr = pythonIdentifier(l.name, used);
            // Stacked recurrent layers (Dropout between them is inactive at inference).
            if (options.mergeStacks && isRecurrent(l.kind)) {
                std::size_t j = i + 1;
                while (true) {
                    std::size_t k = j;
                    double rate = 0;
                    while (k < set.layers.size() && isDropout(set.layers[k].kind)) {
                        rate = set.layers[k].params.value("rate", 0.0);
                        ++k;
                    }
                    if (k >= set.layers.size() ||
                        !stacksWith(set.layers[b.layers.back()], set.layers[k]))
                        break;
                    b.stackDropout = rate;
                    b.layers.push_back(k);
                    j = k + 1;
                }
                if (b.layers.size() > 1) {
                    plan.notes.push_back(
                        "Keras layers " + set.layers[b.layers.front()].name + " .. " +
                        set.layers[b.layers.back()].name + " become one " + l.kind +
                        " module with num_layers=" + std::to_string(b.layers.size()));
                    i = b.layers.back();
                }
            }
        }
        const SemanticLayer& last = set.layers[b.layers.back()];
        rank = !last.outputShape.empty()                                 ? last.outputShape.size()
               : (l.kind == "Flatten" || l.kind.rfind("Global", 0) == 0) ? 1
               : (isRecurrent(l.kind) && !last.params.value("return_sequences", false)) ? 1
               : l.kind == "Embedding"                                                  ? inRank + 1
                                                                                        : inRank;
        b.channelsFirstOut = cf && rank >= 2;
        plan.blocks.push_back(std::move(b));
    }
    return plan;
}

}  // namespace ws::convert
