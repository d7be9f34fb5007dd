// SPDX-License-Identifier: GPL-3.0-or-later
#include "layers/torch_layer_recognition.h"

#include <functional>
#include <map>
#include <set>

namespace ws::layers {

using nlohmann::json;

std::string kindFromTorchClass(const std::string& className) {
    static const std::map<std::string, std::string> kinds = {
        {"Linear", "Dense"},
        {"Conv1d", "Conv1D"},
        {"Conv2d", "Conv2D"},
        {"Conv3d", "Conv3D"},
        {"ConvTranspose2d", "Conv2DTranspose"},
        {"BatchNorm1d", "BatchNormalization"},
        {"BatchNorm2d", "BatchNormalization"},
        {"BatchNorm3d", "BatchNormalization"},
        {"LayerNorm", "LayerNormalization"},
        {"Embedding", "Embedding"},
        {"RNN", "SimpleRNN"},
        {"LSTM", "LSTM"},
        {"GRU", "GRU"},
    };
    const std::string base = className.substr(className.rfind('.') + 1);
    auto it = kinds.find(base);
    return it == kinds.end() ? std::string() : it->second;
}

namespace {

const std::vector<std::int64_t>* shapeOf(const SemanticLayer& l, const std::string& role) {
    auto it = l.tensors.find(role);
    return it == l.tensors.end() ? nullptr : &it->second->tensor->shape;
}

// Kind and hyper-parameters from the names and shapes alone.
void describeFromShapes(SemanticLayer& l, std::vector<std::string>& notes) {
    json& p = l.params;
    if (const auto* ih = shapeOf(l, "weight_ih_l0")) {
        const auto* hh = shapeOf(l, "weight_hh_l0");
        const std::int64_t hidden = hh && hh->size() == 2 ? (*hh)[1] : 0;
        const std::int64_t gates = hidden > 0 && ih->size() == 2 ? (*ih)[0] / hidden : 0;
        if (l.kind.empty())
            l.kind = gates == 4 ? "LSTM" : gates == 3 ? "GRU" : gates == 1 ? "SimpleRNN" : "";
        int layers = 0;
        while (l.tensors.count("weight_ih_l" + std::to_string(layers))) ++layers;
        p["units"] = hidden;
        p["num_layers"] = layers;
        p["bidirectional"] = l.tensors.count("weight_ih_l0_reverse") > 0;
        p["use_bias"] = l.tensors.count("bias_ih_l0") > 0;
        if (l.kind == "GRU") p["reset_after"] = true;  // the only GRU PyTorch has
        if (l.kind.empty())
            notes.push_back("module '" + l.name +
                            "': weight_ih_l0 rows are not 1, 3 or 4 times the hidden size");
        return;
    }
    if (l.tensors.count("running_mean")) {
        if (l.kind.empty()) l.kind = "BatchNormalization";
        p["center"] = l.tensors.count("bias") > 0;
        p["scale"] = l.tensors.count("weight") > 0;
        return;
    }
    const auto* w = shapeOf(l, "weight");
    if (!w) return;
    const bool bias = l.tensors.count("bias") > 0;
    if (l.kind.empty()) {
        if (w->size() == 2 && !bias && l.name.find("emb") != std::string::npos)
            l.kind = "Embedding";
        else if (w->size() == 2)
            l.kind = "Dense";
        else if (w->size() == 1 && bias)
            l.kind = "LayerNormalization";
        else if (w->size() >= 3 && w->size() <= 5)
            l.kind = "Conv" + std::to_string(w->size() - 2) + "D";
        if (w->size() == 2 && !bias && l.kind == "Dense")
            notes.push_back("module '" + l.name +
                            "': a 2-d weight without bias may be an Embedding or a "
                            "Linear(bias=False); taken as Linear");
    }
    p["use_bias"] = bias;
    if (l.kind == "Dense" && w->size() == 2) p["units"] = (*w)[0];
    if (l.kind == "Embedding" && w->size() == 2) {
        p["input_dim"] = (*w)[0];
        p["output_dim"] = (*w)[1];
    }
    if (l.kind.rfind("Conv", 0) == 0 && w->size() >= 3) {
        p["filters"] = l.kind == "Conv2DTranspose" ? (*w)[1] : (*w)[0];
        p["kernel_size"] = std::vector<std::int64_t>(w->begin() + 2, w->end());
    }
}

// The generated SeparableConv2d (torch_recurrent_helper.h): a module whose only children are
// `depthwise` (a (C*m, 1, kh, kw) weight, no bias) and `pointwise` (a (F, C*m, 1, 1) weight)
// is one Keras SeparableConv2D, its tensors named "depthwise.weight", "pointwise.weight",
// "pointwise.bias".
bool recognizeSeparable(const Node& n, SemanticLayer& l) {
    const Node* dw = n.findChild("depthwise");
    const Node* pw = n.findChild("pointwise");
    if (!dw || !pw || n.children.size() != 2) return false;
    const Node* dwWeight = dw->findChild("weight");
    const Node* pwWeight = pw->findChild("weight");
    if (!dwWeight || !pwWeight || !dwWeight->tensor || !pwWeight->tensor) return false;
    const auto& d = dwWeight->tensor->shape;
    const auto& q = pwWeight->tensor->shape;
    if (d.size() != 4 || d[1] != 1 || q.size() != 4 || q[1] != d[0] || q[2] != 1 || q[3] != 1)
        return false;
    l.name = n.path;
    l.sourceClass = n.className.empty() ? "SeparableConv2d" : n.className;
    l.kind = "SeparableConv2D";
    for (const Node* part : {dw, pw})
        for (const auto& c : part->children)
            if (c->kind == NodeKind::Tensor) l.tensors[part->name + "." + c->name] = c.get();
    l.params["filters"] = q[0];
    l.params["kernel_size"] = std::vector<std::int64_t>(d.begin() + 2, d.end());
    l.params["use_bias"] = l.tensors.count("pointwise.bias") > 0;
    return true;
}

}  // namespace

LayerSet recognizeTorchLayers(const Model& model) {
    LayerSet set;
    set.framework = "torch";
    set.modelClass = "state_dict";
    if (!model.root) return set;
    std::function<void(const Node&, int)> walk = [&](const Node& n, int depth) {
        if (depth > 64) return;
        SemanticLayer l;
        if (&n != model.root.get() && recognizeSeparable(n, l)) {
            set.layers.push_back(std::move(l));
            return;
        }
        for (const auto& c : n.children)
            if (c->kind == NodeKind::Tensor) l.tensors[c->name] = c.get();
        if (!l.tensors.empty() && &n != model.root.get()) {
            l.name = n.path;
            l.sourceClass = n.className;
            l.kind = kindFromTorchClass(n.className);
            describeFromShapes(l, set.notes);
            if (!l.kind.empty()) set.layers.push_back(std::move(l));
        }
        for (const auto& c : n.children)
            if (c->kind != NodeKind::Tensor) walk(*c, depth + 1);
    };
    walk(*model.root, 0);
    return set;
}

}  // namespace ws::layers
