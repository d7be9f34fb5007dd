// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/keras_to_torch_transfer.h"

#include <map>

#include "convert/keras_to_torch.h"
#include "convert/rule_table.h"
#include "convert/transfer_pairing.h"
#include "layers/torch_layer_recognition.h"
#include "model/error.h"

namespace ws::convert {

using layers::SemanticLayer;

namespace {

// One converted module: the Keras layers behind it and its tensors by state_dict suffix.
struct ConvertedModule {
    std::string name, kind, kerasLayers;
    std::map<std::string, const Node*> tensors;  // "weight_ih_l1" -> node of the converted model
    std::map<std::string, const TorchTensor*> origin;
};

std::vector<ConvertedModule> convertedModules(const KerasToTorchResult& r) {
    std::vector<ConvertedModule> out;
    for (const MappingEntry& e : r.mapping) {
        if (out.empty() || out.back().name + "." != e.torchPrefix) {
            out.push_back(
                {e.torchPrefix.substr(0, e.torchPrefix.size() - 1), e.kind, e.sourceLayer, {}, {}});
        } else {
            out.back().kerasLayers += ", " + e.sourceLayer;
        }
        for (const TorchTensor& t : e.tensors) {
            const std::string suffix = t.name.substr(e.torchPrefix.size());
            out.back().tensors[suffix] = r.stateDict->find(t.name);
            out.back().origin[suffix] = &t;
        }
    }
    return out;
}

// The template's modules with a conversion rule, in file order; weighted ones without a rule
// are named in `notes`.
std::vector<const SemanticLayer*> templateModules(const layers::LayerSet& set,
                                                  std::vector<std::string>& notes) {
    std::vector<const SemanticLayer*> to;
    for (const SemanticLayer& l : set.layers)
        if (findRule(l.kind))
            to.push_back(&l);
        else if (hasWeights(l))
            notes.push_back("template module '" + l.name + "'" +
                            (l.kind.empty() ? "" : " (" + l.kind + ")") +
                            " has no conversion rule and is left as it is");
    return to;
}

// The modules a mapping entry names; throws saying which side has no such module.
std::pair<std::size_t, std::size_t> findMappedModules(const std::vector<ConvertedModule>& from,
                                                      const std::vector<const SemanticLayer*>& to,
                                                      const std::string& src,
                                                      const std::string& dst) {
    std::size_t i = 0, j = 0;
    while (i < from.size() && from[i].name != src) ++i;
    while (j < to.size() && to[j]->name != dst) ++j;
    if (i == from.size())
        throw FormatError("mapping: the converted Keras model has no module '" + src + "'");
    if (j == to.size())
        throw FormatError("mapping: the template has no weighted module '" + dst + "'");
    return {i, j};
}

using TensorWrites = std::vector<std::pair<const Node*, const Node*>>;  // template <- converted

// One pair checked as the transfer writes it: every template tensor needs a converted tensor of
// its shape. All tensors go into `report` before the first refusal is thrown, so a refused pair
// still shows its tensors and shapes.
TensorWrites checkModulePair(const ConvertedModule& s, const SemanticLayer& d,
                             TransferPair& report) {
    report.sourceUnit = s.kerasLayers;
    report.mappingKey = s.name;
    report.sourceKind = s.kind;
    report.targetLayer = d.name;
    report.targetKind = d.kind;
    const std::string who = "Keras layer(s) " + s.kerasLayers + " (PyTorch " + s.kind +
                            " module '" + s.name + "') and template module '" + d.name + "' (" +
                            d.kind + ")";
    if (s.kind != d.kind) throw FormatError(who + " are different kinds of layer");
    TensorWrites writes;
    std::string refusal;
    for (const auto& [role, node] : d.tensors) {
        auto it = s.tensors.find(role);
        if (it == s.tensors.end() || !it->second)
            throw FormatError(who + ": template tensor '" + node->path + "' " +
                              shapeToString(node->tensor->shape) +
                              " has no counterpart in the Keras model");
        if (it->second->tensor->shape != node->tensor->shape && refusal.empty())
            refusal = who + ": Keras " + s.origin.at(role)->source + " gives " + s.name + "." +
                      role + " " + shapeToString(it->second->tensor->shape) +
                      " but template tensor '" + node->path + "' is " +
                      shapeToString(node->tensor->shape);
        writes.emplace_back(node, it->second);
        const TorchTensor& t = *s.origin.at(role);
        report.tensors.push_back({t.source, node->path, t.transform,
                                  shapeToString(it->second->tensor->shape),
                                  shapeToString(node->tensor->shape)});
    }
    if (!refusal.empty()) throw FormatError(refusal);
    for (const auto& [role, node] : s.tensors)
        if (!d.tensors.count(role) && s.origin.at(role)->source != "(none)")
            throw FormatError(who + ": the Keras model gives " + s.name + "." + role + " " +
                              shapeToString(node->tensor->shape) +
                              " but the template module has no '" + role + "'");
    return writes;
}

}  // namespace

TransferResult transferKerasToTorch(const Model& keras, Model& torch,
                                    const TransferOptions& options) {
    TransferResult result;
    result.kerasToTorch = true;
    KerasToTorchOptions convertOptions;
    const KerasToTorchResult converted = convertKerasToTorch(keras, convertOptions);
    result.warnings = converted.warnings;
    result.notes = converted.notes;
    const std::vector<ConvertedModule> from = convertedModules(converted);
    const layers::LayerSet set = layers::recognizeTorchLayers(torch);
    const std::vector<const SemanticLayer*> to = templateModules(set, result.notes);

    const TransferPairing pairing = pairUnits(
        from.size(), to.size(), options.mapping,
        [&](const std::string& src, const std::string& dst) {
            return findMappedModules(from, to, src, dst);
        },
        [&](const std::vector<std::size_t>& restFrom, const std::vector<std::size_t>& restTo) {
            std::vector<std::string> a, b;
            for (std::size_t i : restFrom)
                a.push_back(from[i].name + " (" + from[i].kind + ": " + from[i].kerasLayers + ")");
            for (std::size_t j : restTo) b.push_back(to[j]->name + " (" + to[j]->kind + ")");
            return "the Keras model gives " + std::to_string(restFrom.size()) +
                   " PyTorch modules to place (" + joinedNames(a) + ") but the template has " +
                   std::to_string(restTo.size()) + " (" + joinedNames(b) +
                   "); pair them with --mapping or use a template of the same architecture";
        });
    const auto& pairs = pairing.pairs;

    // Check every pair before the first write.
    std::vector<TensorWrites> writes;
    for (std::size_t p = 0; p < pairs.size(); ++p) {
        TransferPair report;
        report.fromMapping = p < pairing.explicitCount;
        writes.push_back(checkModulePair(from[pairs[p].first], *to[pairs[p].second], report));
        result.pairs.push_back(std::move(report));
    }
    for (const auto& module : writes)
        for (const auto& [target, value] : module) {
            writeTemplateTensor(torch, *target, DenseArray::fromNode(*value));
            ++result.tensorsWritten;
        }
    return result;
}

std::vector<PairVerdict> checkKerasToTorchPairs(const Model& keras, const Model& torch,
                                                const std::map<std::string, std::string>& pairs) {
    KerasToTorchOptions convertOptions;
    const KerasToTorchResult converted = convertKerasToTorch(keras, convertOptions);
    const std::vector<ConvertedModule> from = convertedModules(converted);
    const layers::LayerSet set = layers::recognizeTorchLayers(torch);
    std::vector<std::string> notes;
    const std::vector<const SemanticLayer*> to = templateModules(set, notes);
    return checkEachPair(
        pairs, [&](const std::string& src, const std::string& dst, TransferPair& report) {
            report.mappingKey = src;  // the row's key even when the module is not found
            const auto [i, j] = findMappedModules(from, to, src, dst);
            checkModulePair(from[i], *to[j], report);
        });
}

}  // namespace ws::convert
