// SPDX-License-Identifier: GPL-3.0-or-later
#include "layers/keras_layer_recognition.h"

#include <algorithm>
#include <functional>
#include <map>

#include "formats/keras_config.h"
#include "formats/keras_variable_names.h"
#include "layers/keras_gate_assembly.h"
#include "layers/keras_inbound.h"
#include "layers/keras_shape_inference.h"
#include "model/error.h"

namespace ws::layers {

using nlohmann::json;

std::string canonicalKerasKind(const std::string& c) {
    static const std::map<std::string, std::string> aliases = {
        {"Convolution1D", "Conv1D"},
        {"Convolution2D", "Conv2D"},
        {"Convolution3D", "Conv3D"},
        {"Deconvolution2D", "Conv2DTranspose"},
        {"Conv2DTranspose", "Conv2DTranspose"},
        {"SeparableConvolution2D", "SeparableConv2D"},
        {"DepthwiseConvolution2D", "DepthwiseConv2D"},
        {"CuDNNLSTM", "LSTM"},
        {"CuDNNGRU", "GRU"},
        {"Convolution1DTranspose", "Conv1DTranspose"},
    };
    auto it = aliases.find(c);
    if (it != aliases.end()) return it->second;
    // QKeras layers compute like their base class once quantization is baked into the weights;
    // they are still named so in the report (sourceClass keeps "QDense").
    return c;
}

namespace {

const Node* rootValue(const Model& model, const std::string& name) {
    if (!model.root) return nullptr;
    for (const auto& c : model.root->children)
        if (c->kind == NodeKind::Value && c->name == name) return c.get();
    return nullptr;
}

std::string rootText(const Model& model, const std::string& name) {
    if (const Node* n = rootValue(model, name)) return n->value;
    // Weights-only Keras 2 files keep these as attributes of the root group's children.
    std::string found;
    model.forEachNode([&](Node& n) {
        if (found.empty())
            if (const std::string* a = n.attribute(name)) found = *a;
    });
    return found;
}

int majorOf(const std::string& version) {
    if (version.empty() || version[0] < '0' || version[0] > '9') return 0;
    return version[0] - '0';
}

// The Keras 1 config keys that name what Keras 2 calls units/filters/...
void normalizeKeras1Params(json& p) {
    auto move = [&](const char* from, const char* to) {
        if (p.contains(from) && !p.contains(to)) p[to] = p[from];
    };
    move("output_dim", "units");
    move("nb_filter", "filters");
    move("border_mode", "padding");
    move("subsample", "strides");
    move("subsample_length", "strides");
    move("inner_activation", "recurrent_activation");
    move("bias", "use_bias");
    if (p.contains("nb_row") && p.contains("nb_col") && !p.contains("kernel_size"))
        p["kernel_size"] = json::array({p["nb_row"], p["nb_col"]});
    if (p.contains("filter_length") && !p.contains("kernel_size"))
        p["kernel_size"] = json::array({p["filter_length"]});
    if (p.contains("dim_ordering") && !p.contains("data_format"))
        p["data_format"] = p["dim_ordering"] == "th" ? "channels_first" : "channels_last";
}

// Activations are strings in Keras 2 and may be serialized objects in Keras 3.
void normalizeActivation(json& p, const char* key) {
    auto it = p.find(key);
    if (it == p.end()) return;
    if (it->is_object()) {
        if (it->contains("config") && (*it)["config"].is_object() &&
            (*it)["config"].contains("name"))
            *it = (*it)["config"]["name"];
        else if (it->contains("class_name"))
            *it = (*it)["class_name"];
    }
}

json layerParams(const json& entry) {
    json p = json::object();
    auto cfg = entry.find("config");
    if (cfg != entry.end() && cfg->is_object()) p = *cfg;
    normalizeKeras1Params(p);
    normalizeActivation(p, "activation");
    normalizeActivation(p, "recurrent_activation");
    for (const char* k : {"kernel_size", "strides", "dilation_rate", "pool_size"})
        if (p.contains(k) && p[k].is_number()) p[k] = json::array({p[k]});
    return p;
}

// The node holding a layer's weights: the shallowest group/layer node named like the layer
// that has tensors below it (.h5: model_weights/<name>; .keras: <name>).
const Node* findLayerNode(const Model& model, const std::string& name) {
    const Node* best = nullptr;
    int bestDepth = 1 << 30;
    std::function<bool(const Node&)> hasTensor = [&](const Node& n) {
        if (n.kind == NodeKind::Tensor) return true;
        for (const auto& c : n.children)
            if (hasTensor(*c)) return true;
        return false;
    };
    std::function<void(const Node&, int)> walk = [&](const Node& n, int depth) {
        if (depth > 64) return;
        if (n.kind != NodeKind::Tensor && n.name == name && depth < bestDepth && hasTensor(n)) {
            best = &n;
            bestDepth = depth;
        }
        for (const auto& c : n.children) walk(*c, depth + 1);
    };
    if (model.root) walk(*model.root, 0);
    return best;
}

// "lstm_1/lstm_cell/kernel:0" -> "kernel"; Keras 1 "lstm_1_W_i" (layer lstm_1) -> "W_i".
std::string roleOf(const std::string& tensorName, const std::string& layerName) {
    std::string role = tensorName.substr(tensorName.rfind('/') + 1);
    auto colon = role.rfind(':');
    if (colon != std::string::npos) role = role.substr(0, colon);
    if (role.size() > layerName.size() + 1 && role.compare(0, layerName.size(), layerName) == 0 &&
        role[layerName.size()] == '_')
        role = role.substr(layerName.size() + 1);
    return role;
}

void collectTensors(const Node& layerNode, SemanticLayer& layer, const json& innerParams,
                    const std::string& innerClass) {
    std::vector<const Node*> found;
    std::function<void(const Node&, int)> walk = [&](const Node& n, int depth) {
        if (depth > 64) return;
        if (n.kind == NodeKind::Tensor) found.push_back(&n);
        for (const auto& c : n.children) walk(*c, depth + 1);
    };
    walk(layerNode, 0);
    // Keras 3 .keras files name variables by index ("vars/0"); their order is known per class.
    const auto varNames =
        keras::variableNames(json{{"class_name", innerClass}, {"config", innerParams}});
    int forwardIndex = 0, backwardIndex = 0;
    for (const Node* t : found) {
        const std::string rel = t->path.substr(std::min(t->path.size(), layerNode.path.size()));
        const bool backward = rel.find("backward") != std::string::npos;
        std::string role = roleOf(t->name, layer.name);
        if (!role.empty() && std::all_of(role.begin(), role.end(), ::isdigit)) {
            int& i = backward ? backwardIndex : forwardIndex;
            if (std::size_t(i) < varNames.size()) role = varNames[std::size_t(i)];
            ++i;
        }
        // Keras 1 short names: W/U/b (possibly per gate: W_i, U_f, b_c).
        if (role == "W") role = "kernel";
        if (role == "U") role = "recurrent_kernel";
        if (role == "b") role = "bias";
        const bool own = role.rfind(kOwnDatasetPrefix, 0) == 0;
        (own ? layer.extras : layer.tensors)[(backward ? "backward." : "") + role] = t;
    }
}

std::vector<std::int64_t> batchShapeOf(const json& p) {
    std::vector<std::int64_t> out;
    for (const char* key : {"batch_input_shape", "batch_shape"}) {
        auto it = p.find(key);
        if (it == p.end() || !it->is_array() || it->empty()) continue;
        for (std::size_t i = 1; i < it->size(); ++i)
            out.push_back((*it)[i].is_number_integer() ? (*it)[i].get<std::int64_t>() : -1);
        return out;
    }
    return out;
}

// Orders a Functional model's layers along its chain; false (with a reason) when it branches.
bool orderChain(std::vector<const json*>& entries, std::string& reason) {
    std::map<std::string, const json*> byName;
    std::map<std::string, std::string> next;  // producer -> its only consumer
    std::string start;
    for (const json* e : entries) byName[keras::layerName(*e)] = e;
    for (const json* e : entries) {
        const std::string name = keras::layerName(*e);
        const auto calls = kerasInboundNodes(*e);
        if (calls.empty()) {
            if (!start.empty()) {
                reason = "the model has more than one input (" + start + ", " + name + ")";
                return false;
            }
            start = name;
            continue;
        }
        if (calls.size() != 1 || calls[0].size() != 1) {
            reason = "layer '" + name + "' is called more than once or has several inputs";
            return false;
        }
        const std::string& from = calls[0][0];
        if (next.count(from)) {
            reason = "layer '" + from + "' feeds more than one layer";
            return false;
        }
        next[from] = name;
    }
    std::vector<const json*> ordered;
    for (std::string at = start; !at.empty() && ordered.size() <= entries.size();) {
        auto e = byName.find(at);
        if (e == byName.end()) break;
        ordered.push_back(e->second);
        auto n = next.find(at);
        at = n == next.end() ? std::string() : n->second;
    }
    if (ordered.size() != entries.size()) {
        reason = "not every layer lies on the path from the input to the output";
        return false;
    }
    entries = ordered;
    return true;
}

}  // namespace

json kerasModelConfig(const Model& model) {
    for (const char* name : {"model_config", "config.json"})
        if (const Node* n = rootValue(model, name)) {
            json j = keras::parseJson(n->value);
            if (!j.is_null()) return j;
        }
    return nullptr;
}

LayerSet recognizeKerasLayers(const Model& model, const json& architecture) {
    json config = architecture.is_null() ? kerasModelConfig(model) : architecture;
    if (config.is_null())
        throw FormatError(
            "the file has no Keras model config (weights-only save): give the architecture "
            "JSON from model.to_json() with --config");
    if (config.contains("model_config")) config = config["model_config"];  // tfjs model.json
    if (!keras::isModelEntry(config))
        throw FormatError("the Keras config is not a model (no layer list)");

    LayerSet set;
    set.framework = "keras";
    set.kerasVersion = rootText(model, "keras_version");
    set.backend = rootText(model, "backend");
    if (set.kerasVersion.empty() && config.contains("keras_version") &&
        config["keras_version"].is_string())
        set.kerasVersion = config["keras_version"].get<std::string>();  // model.to_json() output
    set.kerasMajor = majorOf(set.kerasVersion);
    if (set.kerasMajor == 0 && model.format == "keras-v3") set.kerasMajor = 3;
    set.modelClass = keras::layerClass(config);

    auto entries = keras::modelLayers(config);
    set.chain = true;
    if (set.modelClass != "Sequential") set.chain = orderChain(entries, set.notChainReason);

    for (const json* entry : entries) {
        SemanticLayer layer;
        layer.name = keras::layerName(*entry);
        layer.sourceClass = keras::layerClass(*entry);
        if (keras::isModelEntry(*entry)) {
            set.chain = false;
            set.notChainReason = "layer '" + layer.name + "' is a nested model (" +
                                 layer.sourceClass + "); nested models are not flattened yet";
        }
        json params = layerParams(*entry);
        std::string innerClass = layer.sourceClass;
        json innerParams = params;
        if (layer.sourceClass == "Bidirectional" || layer.sourceClass == "TimeDistributed") {
            const json inner = params.value("layer", json::object());
            innerClass = keras::layerClass(inner);
            innerParams = layerParams(inner);
            if (layer.sourceClass == "Bidirectional") {
                innerParams["bidirectional"] = true;
                innerParams["merge_mode"] = params.value("merge_mode", "concat");
            } else {
                innerParams["time_distributed"] = true;
            }
            for (const char* k : {"batch_input_shape", "batch_shape"})
                if (params.contains(k)) innerParams[k] = params[k];
        }
        layer.kind = canonicalKerasKind(innerClass);
        layer.params = innerParams;
        if (!layer.params.contains("bidirectional")) layer.params["bidirectional"] = false;
        layer.params["num_layers"] = 1;
        if (keras::isModelEntry(*entry)) layer.params["nested_model"] = true;
        if (set.inputShape.empty()) set.inputShape = batchShapeOf(params);
        if (const Node* node = findLayerNode(model, layer.name))
            collectTensors(*node, layer, innerParams, innerClass);
        assembleKeras1Gates(layer, set);
        set.layers.push_back(std::move(layer));
    }
    if (set.inputShape.empty() && config.contains("config") && config["config"].is_object()) {
        const json& c = config["config"];
        if (c.contains("build_input_shape"))
            set.inputShape = batchShapeOf(json{{"batch_input_shape", c["build_input_shape"]}});
    }
    inferKerasShapes(set);
    return set;
}

}  // namespace ws::layers
