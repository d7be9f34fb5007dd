// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/compare_units.h"

#include "convert/rule_table.h"
#include "convert/template_transfer.h"
#include "convert/torch_to_keras_transfer.h"
#include "layers/keras_layer_recognition.h"
#include "layers/torch_layer_recognition.h"
#include "model/error.h"

namespace ws::compare {

std::string frameworkOf(const Model& model) {
    return convert::isKerasModel(model) ? "keras" : "torch";
}

namespace {

// The class of the nearest group above a tensor that names one (a Keras layer group, a pickled
// module), so that order pairing can tell a Dense from a Conv2D.
std::string nearestClass(const Node* node) {
    for (; node; node = node->parent)
        if (!node->className.empty()) return node->className;
    return {};
}

void collectGroups(const Node& node, std::vector<CompareUnit>& out) {
    CompareUnit unit;
    for (const auto& child : node.children)
        if (child->kind == NodeKind::Tensor && child->tensor)
            unit.tensors[child->name] = child.get();
    if (!unit.tensors.empty()) {
        unit.label = node.path.empty() ? std::string("(top level)") : node.path;
        unit.kind = nearestClass(&node);
        out.push_back(std::move(unit));
    }
    for (const auto& child : node.children)
        if (child->kind != NodeKind::Tensor) collectGroups(*child, out);
}

bool sameShapes(const CompareUnit& x, const CompareUnit& y) {
    if (x.tensors.size() != y.tensors.size()) return false;
    for (const auto& [role, node] : x.tensors) {
        auto it = y.tensors.find(role);
        if (it == y.tensors.end() || it->second->tensor->shape != node->tensor->shape) return false;
    }
    return true;
}

// Across formats the shapes are in different layouts until converted; the hyper-parameters
// both recognitions derive say the same thing cheaply.
bool sameHyperParameters(const CompareUnit& x, const CompareUnit& y) {
    for (const char* key : {"units", "bidirectional", "filters"})
        if (x.params.contains(key) && y.params.contains(key) && x.params[key] != y.params[key])
            return false;
    return true;
}

// A state_dict does not name its module classes while a pickled module does: an unknown kind
// agrees with any.
bool kindsAgree(const CompareUnit& x, const CompareUnit& y) {
    return x.kind.empty() || y.kind.empty() || x.kind == y.kind;
}

bool compatible(const CompareUnit& x, const CompareUnit& y, bool crossFormat) {
    if (!kindsAgree(x, y)) return false;
    return crossFormat ? sameHyperParameters(x, y) : sameShapes(x, y);
}

int indexOf(const std::vector<CompareUnit>& units, const std::string& label) {
    for (std::size_t i = 0; i < units.size(); ++i)
        if (units[i].label == label) return int(i);
    return -1;
}

// The Keras layer's tensors that the conversion rule knows (forward and backward halves);
// anything else stored with the layer has no PyTorch counterpart to compare with.
std::map<std::string, const Node*> ruleTensors(const layers::SemanticLayer& l,
                                               std::vector<std::string>& notes) {
    const convert::LayerRule* rule = convert::findRule(l.kind);
    std::map<std::string, const Node*> out;
    for (const auto& [role, node] : l.tensors) {
        const std::string bare = role.rfind("backward.", 0) == 0 ? role.substr(9) : role;
        bool known = false;
        for (const convert::TensorRule& t :
             rule ? rule->tensors : std::vector<convert::TensorRule>{})
            known |= t.kerasRole == bare;
        if (known)
            out[role] = node;
        else
            notes.push_back("layer '" + l.name + "': '" + node->path +
                            "' has no PyTorch counterpart in the conversion rules; not compared");
    }
    return out;
}

}  // namespace

std::unique_ptr<CompareSide> storedUnits(const Model& model) {
    auto side = std::make_unique<CompareSide>();
    side->framework = frameworkOf(model);
    if (model.root) collectGroups(*model.root, side->units);
    // A state_dict names no classes; recognition tells a Linear from a Conv2d by its shapes,
    // which order pairing and the table can use.
    if (side->framework == "torch") {
        std::map<std::string, std::string> kinds;
        for (const layers::SemanticLayer& l : layers::recognizeTorchLayers(model).layers)
            kinds[l.name] = l.kind;
        for (CompareUnit& u : side->units) {
            // One vocabulary on both sides: a pickled "Linear" is the recognized "Dense".
            const std::string known = layers::kindFromTorchClass(u.kind);
            if (!known.empty()) u.kind = known;
            if (u.kind.empty() && kinds.count(u.label)) u.kind = kinds[u.label];
        }
    }
    return side;
}

std::unique_ptr<CompareSide> conversionUnits(const Model& model) {
    auto side = std::make_unique<CompareSide>();
    side->framework = frameworkOf(model);
    if (side->framework == "keras") {
        side->layers = layers::recognizeKerasLayers(model);
        for (const convert::KerasUnit& u : convert::kerasTransferUnits(side->layers)) {
            CompareUnit unit;
            unit.label = u.layer->name;
            unit.kind = u.layer->kind;
            unit.tensors = ruleTensors(*u.layer, side->notes);
            unit.preFlattenShape = u.preFlattenShape;
            unit.params = u.layer->params;
            side->units.push_back(std::move(unit));
        }
    } else {
        side->layers = layers::recognizeTorchLayers(model);
        for (const convert::TorchUnit& u : convert::torchTransferUnits(side->layers, side->notes)) {
            CompareUnit unit;
            unit.label = u.label;
            unit.kind = u.layer->kind;
            unit.layer = u.layer;
            unit.stackIndex = u.stackIndex;
            unit.converted = true;
            unit.params = u.layer->params;
            side->units.push_back(std::move(unit));
        }
    }
    side->notes.insert(side->notes.end(), side->layers.notes.begin(), side->layers.notes.end());
    return side;
}

const char* pairedByName(PairedBy by) {
    switch (by) {
        case PairedBy::User:
            return "user";
        case PairedBy::Name:
            return "name";
        case PairedBy::Order:
            return "order";
        case PairedBy::Unpaired:
            break;
    }
    return "unpaired";
}

std::vector<UnitPair> pairUnits(const std::vector<CompareUnit>& a,
                                const std::vector<CompareUnit>& b,
                                const std::map<std::string, std::string>& explicitPairs,
                                bool crossFormat) {
    std::vector<int> partner(a.size(), -1);
    std::vector<PairedBy> by(a.size(), PairedBy::Unpaired);
    std::vector<bool> fixed(a.size(), false), taken(b.size(), false);
    for (const auto& [labelA, labelB] : explicitPairs) {
        const int i = indexOf(a, labelA);
        if (i < 0)
            throw FormatError("pair '" + labelA + "=" + labelB + "': A has no layer '" + labelA +
                              "'");
        if (fixed[i]) throw FormatError("pair '" + labelA + "=...': A's layer is paired twice");
        fixed[i] = true;
        if (labelB.empty()) continue;  // kept unpaired on purpose
        const int j = indexOf(b, labelB);
        if (j < 0)
            throw FormatError("pair '" + labelA + "=" + labelB + "': B has no layer '" + labelB +
                              "'");
        if (taken[j])
            throw FormatError("pair '" + labelA + "=" + labelB + "': B's layer '" + labelB +
                              "' is already paired");
        taken[j] = true;
        partner[i] = j;
        by[i] = PairedBy::User;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (fixed[i]) continue;
        const int j = indexOf(b, a[i].label);
        if (j >= 0 && !taken[j] && kindsAgree(a[i], b[j])) {
            taken[j] = true;
            partner[i] = j;
            by[i] = PairedBy::Name;
            fixed[i] = true;
        }
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (fixed[i]) continue;
        for (std::size_t j = 0; j < b.size(); ++j)
            if (!taken[j] && compatible(a[i], b[j], crossFormat)) {
                taken[j] = true;
                partner[i] = int(j);
                by[i] = PairedBy::Order;
                break;
            }
    }
    std::vector<UnitPair> out;
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back({int(i), partner[i], by[i]});
    for (std::size_t j = 0; j < b.size(); ++j)
        if (!taken[j]) out.push_back({-1, int(j), PairedBy::Unpaired});
    return out;
}

}  // namespace ws::compare
