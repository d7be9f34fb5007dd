// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/torch_to_keras_transfer.h"

#include <cmath>
#include <set>
#include <sstream>

#include "convert/convert_engine.h"
#include "convert/dense_array.h"
#include "convert/rule_table.h"
#include "convert/template_transfer.h"
#include "convert/torch_plan.h"
#include "convert/transfer_pairing.h"
#include "edit/edit_ops.h"
#include "edit/element_codec.h"
#include "layers/keras_layer_recognition.h"
#include "layers/torch_layer_recognition.h"
#include "model/error.h"

namespace ws::convert {

using layers::LayerSet;
using layers::SemanticLayer;

std::vector<TorchUnit> torchTransferUnits(const LayerSet& set, std::vector<std::string>& notes) {
    std::vector<TorchUnit> out;
    for (const SemanticLayer& l : set.layers) {
        const LayerRule* rule = findRule(l.kind);
        if (!rule) {
            notes.push_back("source module '" + l.name + "'" +
                            (l.kind.empty() ? "" : " (" + l.kind + ")") +
                            " has no conversion rule and is not transferred");
            continue;
        }
        const int levels = rule->recurrent ? l.params.value("num_layers", 1) : 1;
        for (int k = 0; k < levels; ++k)
            out.push_back({&l, k, levels > 1 ? l.name + "[" + std::to_string(k) + "]" : l.name});
    }
    return out;
}

std::vector<KerasUnit> kerasTransferUnits(const LayerSet& set) {
    // The plan refuses what PyTorch cannot compute (GRU reset_after=False, unknown pre-Flatten
    // shape) and knows which Dense reads a Flatten that PyTorch performs channels-first.
    PlanOptions planOptions;
    planOptions.mergeStacks = false;
    const TorchPlan plan = planTorchModel(set, planOptions);
    std::vector<KerasUnit> out;
    for (const TorchBlock& block : plan.blocks) {
        if (block.attr.empty() || !findRule(block.kind)) continue;
        for (std::size_t index : block.layers)
            out.push_back({&set.layers.at(index), block.preFlattenShape});
    }
    return out;
}

namespace {

using SourceUnit = TorchUnit;
using TargetUnit = KerasUnit;

std::string kindText(const SemanticLayer& l) {
    return l.kind + (l.params.value("bidirectional", false) ? ", bidirectional" : "");
}

// The inverse steps of the rule for one Keras role, for the report.
std::string describeInverse(const LayerRule& rule, const std::string& role,
                            const TargetUnit& target) {
    std::vector<std::string> steps;
    const std::string bare = role.rfind("backward.", 0) == 0 ? role.substr(9) : role;
    int parts = 0;
    for (const TensorRule& tr : rule.tensors) {
        if (tr.kerasRole != bare) continue;
        ++parts;
        if (tr.gateBlocks && rule.kerasGates != rule.torchGates && parts == 1)
            steps.push_back("gates " + rule.torchGates + " -> " + rule.kerasGates);
        if (tr.depthwiseMerge && parts == 1)
            steps.push_back("reshape (C*m, 1, k...) -> (C, m, k...)");
        if (!tr.toTorchAxes.empty() && parts == 1) {
            std::string axes;
            for (int a : invertAxes(tr.toTorchAxes))
                axes += (axes.empty() ? "" : ",") + std::to_string(a);
            steps.push_back("transpose(" + axes + ")");
        }
        if (tr.flattenRows && !target.preFlattenShape.empty() && parts == 1)
            steps.push_back("rows (C, spatial) -> " + shapeToString(target.preFlattenShape) +
                            " channels-last order");
    }
    for (const TensorRule& tr : rule.tensors)
        if (tr.kerasRole == bare && tr.sum == SumPart::Carrier) steps.push_back("biases summed");
    for (const TensorRule& tr : rule.tensors)
        if (tr.kerasRole == bare && tr.kerasRow >= 0) {
            steps.push_back("rows stacked (bias_ih, bias_hh)");
            break;
        }
    std::string out;
    for (const std::string& s : steps) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "copy" : out;
}

std::string sourceNamesFor(const LayerRule& rule, const std::string& role, const SourceUnit& src) {
    const bool backward = role.rfind("backward.", 0) == 0;
    const std::string bare = backward ? role.substr(9) : role;
    std::string out;
    for (const TensorRule& tr : rule.tensors)
        if (tr.kerasRole == bare)
            out += (out.empty() ? "" : " + ") + src.layer->name + "." +
                   torchTensorName(tr.torchName, src.stackIndex, backward);
    return out;
}

std::string sourceShapesFor(const LayerRule& rule, const std::string& role, const SourceUnit& src) {
    const bool backward = role.rfind("backward.", 0) == 0;
    const std::string bare = backward ? role.substr(9) : role;
    std::string out;
    for (const TensorRule& tr : rule.tensors) {
        if (tr.kerasRole != bare) continue;
        auto it = src.layer->tensors.find(torchTensorName(tr.torchName, src.stackIndex, backward));
        if (it != src.layer->tensors.end())
            out += (out.empty() ? "" : " + ") + shapeToString(it->second->tensor->shape);
    }
    return out;
}

// The template layer's tensors, kernel before bias as the rule lists them (forward half first),
// so reports and errors read in the natural order.
std::vector<std::pair<std::string, const Node*>> rolesInRuleOrder(const SemanticLayer& l,
                                                                  const LayerRule& rule) {
    std::vector<std::pair<std::string, const Node*>> out;
    std::set<std::string> seen;
    for (const std::string dir : {"", "backward."})
        for (const TensorRule& tr : rule.tensors) {
            const std::string role = dir + tr.kerasRole;
            auto it = l.tensors.find(role);
            if (it != l.tensors.end() && seen.insert(role).second)
                out.emplace_back(role, it->second);
        }
    for (const auto& [role, node] : l.tensors)
        if (seen.insert(role).second) out.emplace_back(role, node);
    return out;
}

bool allEqual(const DenseArray& a, double value) {
    for (double v : a.data)
        if (v != value) return false;
    return true;
}

// The Keras tensors for one pair, checked against the template's shapes.
std::map<std::string, DenseArray> convertPair(const SourceUnit& src, const TargetUnit& dst,
                                              const LayerRule& rule, TransferPair& report) {
    const SemanticLayer& s = *src.layer;
    const SemanticLayer& d = *dst.layer;
    const std::string who = "source layer '" + src.label + "' (" + kindText(s) +
                            ") and template layer '" + d.name + "' (" + kindText(d) + ")";
    if (s.kind != d.kind) throw FormatError(who + " are different kinds of layer");
    if (rule.recurrent &&
        s.params.value("bidirectional", false) != d.params.value("bidirectional", false))
        throw FormatError(who + ": only one of them is bidirectional");

    std::map<std::string, DenseArray> torch;
    for (const auto& [role, node] : s.tensors) torch[role] = DenseArray::fromNode(*node);
    LayerContext ctx;
    ctx.stackIndex = src.stackIndex;
    ctx.preFlattenShape = dst.preFlattenShape;
    std::map<std::string, DenseArray> keras;
    try {
        keras = torchLayerToKeras(torch, rule, ctx, d.params);
    } catch (const FormatError& e) {
        throw FormatError(who + ": " + e.what());
    }
    for (auto it = keras.begin(); it != keras.end();) {
        auto target = d.tensors.find(it->first);
        if (target != d.tensors.end()) {
            ++it;
            continue;
        }
        // The template omits it (use_bias=False, center/scale=False): fine when the source
        // holds exactly what Keras then computes with.
        double fill = std::nan("");
        for (const TensorRule& tr : rule.tensors)
            if (tr.kerasRole == it->first) fill = tr.fillWhenAbsent;
        const bool neutral = allEqual(it->second, std::isnan(fill) ? 0.0 : fill);
        if (!neutral)
            throw FormatError(who + ": the source has " + it->first + " " +
                              shapeToString(it->second.shape) +
                              " but the template layer has none (use_bias/center/scale=False)");
        report.notes.push_back(it->first + " omitted by the template; the source's is neutral");
        it = keras.erase(it);
    }
    // Every tensor goes into the report before the first refusal is thrown, so a refused pair
    // still shows all its tensors and shapes (the transfer dialog's per-row check).
    std::string refusal;
    for (const auto& [role, node] : rolesInRuleOrder(d, rule)) {
        auto it = keras.find(role);
        const std::string targetShape = shapeToString(node->tensor->shape);
        if (it == keras.end())
            throw FormatError(who + ": template tensor '" + node->path + "' " + targetShape +
                              " has no source tensor");
        if (it->second.shape != node->tensor->shape && refusal.empty())
            refusal = who + ": " + sourceNamesFor(rule, role, src) + " " +
                      sourceShapesFor(rule, role, src) + " gives Keras " + role + " " +
                      shapeToString(it->second.shape) + " but template tensor '" + node->path +
                      "' is " + targetShape;
        TransferTensor t;
        t.sourceNames = sourceNamesFor(rule, role, src);
        t.sourceShape = sourceShapesFor(rule, role, src);
        t.targetPath = node->path;
        t.targetShape = targetShape;
        t.transform = describeInverse(rule, role, dst);
        report.tensors.push_back(std::move(t));
    }
    if (!refusal.empty()) throw FormatError(refusal);
    return keras;
}

// One pair as the transfer converts it: the report's names, the rule, the checked tensors.
std::map<std::string, DenseArray> convertUnitPair(const SourceUnit& s, const TargetUnit& d,
                                                  TransferPair& report) {
    report.sourceUnit = s.label;
    report.sourceKind = s.layer->kind;
    report.targetLayer = d.layer->name;
    report.targetKind = d.layer->kind;
    const LayerRule* rule = findRule(d.layer->kind);
    if (!rule)
        throw FormatError("template layer '" + d.layer->name + "' (" + d.layer->kind +
                          ") has no conversion rule");
    std::map<std::string, DenseArray> converted = convertPair(s, d, *rule, report);
    if (d.layer->kind == "BatchNormalization") {
        std::ostringstream n;
        n << "eps=" << d.layer->params.value("epsilon", 1e-3)
          << " and momentum are the template's (a state_dict does not carry them): the "
             "PyTorch module must use the same eps for equal outputs";
        report.notes.push_back(n.str());
    }
    return converted;
}

std::vector<std::string> unitLabels(const std::vector<SourceUnit>& units) {
    std::vector<std::string> out;
    for (const auto& u : units) out.push_back(u.label + " (" + u.layer->kind + ")");
    return out;
}

// The units a mapping entry names (source unit label, template layer name); throws saying which
// side has no such layer.
std::pair<std::size_t, std::size_t> findMappedPair(const std::vector<SourceUnit>& from,
                                                   const std::vector<TargetUnit>& to,
                                                   const std::string& srcName,
                                                   const std::string& dstName) {
    std::size_t i = 0, j = 0;
    while (i < from.size() && from[i].label != srcName) ++i;
    while (j < to.size() && to[j].layer->name != dstName) ++j;
    if (i == from.size())
        throw FormatError("mapping: the source has no weighted layer '" + srcName + "'; it has " +
                          joinedNames(unitLabels(from)));
    if (j == to.size())
        throw FormatError("mapping: the template has no weighted layer '" + dstName + "'");
    return {i, j};
}

}  // namespace

std::vector<std::pair<std::string, DenseArray>> torchUnitToKeras(
    const SemanticLayer& source, int stackIndex, const nlohmann::json& kerasParams,
    TransferPair& report, const std::vector<std::int64_t>& preFlattenShape) {
    const LayerRule* rule = findRule(source.kind);
    if (!rule)
        throw FormatError("layer '" + source.name + "' (" + source.kind +
                          ") has no conversion rule");
    std::map<std::string, DenseArray> torch;
    for (const auto& [role, node] : source.tensors) torch[role] = DenseArray::fromNode(*node);
    LayerContext ctx;
    ctx.stackIndex = stackIndex;
    ctx.preFlattenShape = preFlattenShape;
    std::map<std::string, DenseArray> keras = torchLayerToKeras(torch, *rule, ctx, kerasParams);
    const SourceUnit unit{&source, stackIndex, source.name};
    std::vector<std::pair<std::string, DenseArray>> out;
    for (const std::string dir : {"", "backward."})
        for (const TensorRule& tr : rule->tensors) {
            auto it = keras.find(dir + tr.kerasRole);
            if (it == keras.end()) continue;
            TransferTensor t;
            t.sourceNames = sourceNamesFor(*rule, it->first, unit);
            t.sourceShape = sourceShapesFor(*rule, it->first, unit);
            t.targetShape = shapeToString(it->second.shape);
            t.transform = describeInverse(*rule, it->first, TargetUnit{nullptr, preFlattenShape});
            report.tensors.push_back(std::move(t));
            out.emplace_back(it->first, std::move(it->second));
            keras.erase(it);
        }
    return out;
}

// The array's elements in the tensor's own dtype and byte order, C order.
static std::vector<std::uint8_t> encodeForTensor(const DenseArray& a, const Tensor& t,
                                                 const std::string& what) {
    const std::size_t width = dtypeSize(t.dtype);
    std::vector<std::uint8_t> bytes(a.data.size() * width);
    for (std::size_t i = 0; i < a.data.size(); ++i)
        storeElement(bytes.data() + i * width, t.dtype, t.bigEndian, Scalar::fromReal(a.data[i]),
                     what);
    return bytes;
}

void writeTemplateTensor(Model& model, const Node& node, const DenseArray& a) {
    Edit e;
    e.kind = Edit::Kind::Restore;
    e.path = node.path;
    const std::size_t rank = node.tensor->shape.size();
    e.box.start.assign(rank, 0);
    e.box.count = node.tensor->shape;
    e.box.step.assign(rank, 1);
    e.bytes = encodeForTensor(a, *node.tensor, "template tensor '" + node.path + "'");
    applyEdit(model, e);
}

std::map<std::string, std::string> parseTransferMapping(const nlohmann::json& doc) {
    std::map<std::string, std::string> out;
    if (doc.is_object()) {
        for (const auto& [k, v] : doc.items()) {
            if (!v.is_string())
                throw FormatError("mapping entry '" + k +
                                  "' must name a template layer (a string)");
            out[k] = v.get<std::string>();
        }
    } else if (doc.is_array()) {
        for (const auto& e : doc) {
            if (!e.is_object() || !e.contains("source") || !e.contains("target") ||
                !e["source"].is_string() || !e["target"].is_string())
                throw FormatError(
                    "mapping list entries must be {\"source\": ..., \"target\": ...}");
            out[e["source"].get<std::string>()] = e["target"].get<std::string>();
        }
    } else {
        throw FormatError(
            "mapping must be an object {\"source layer\": \"template layer\"} or a list of "
            "{\"source\", \"target\"} pairs");
    }
    return out;
}

TransferResult transferTorchToKeras(const Model& source, Model& keras,
                                    const TransferOptions& options) {
    TransferResult result;
    const LayerSet src = layers::recognizeTorchLayers(source);
    if (src.framework != "torch" && isKerasModel(source))
        throw FormatError("the source is a Keras file; give a PyTorch file as SRC");
    const LayerSet dst = layers::recognizeKerasLayers(keras);
    result.notes.insert(result.notes.end(), src.notes.begin(), src.notes.end());
    std::vector<SourceUnit> from = torchTransferUnits(src, result.notes);
    const std::vector<TargetUnit> to = kerasTransferUnits(dst);

    const TransferPairing pairing = pairUnits(
        from.size(), to.size(), options.mapping,
        [&](const std::string& srcName, const std::string& dstName) {
            return findMappedPair(from, to, srcName, dstName);
        },
        [&](const std::vector<std::size_t>& restFrom, const std::vector<std::size_t>& restTo) {
            std::vector<std::string> targets;
            for (std::size_t j : restTo)
                targets.push_back(to[j].layer->name + " (" + to[j].layer->kind + ")");
            std::vector<std::string> sources;
            for (std::size_t i : restFrom)
                sources.push_back(from[i].label + " (" + from[i].layer->kind + ")");
            return "the source has " + std::to_string(restFrom.size()) +
                   " weighted layers to place (" + joinedNames(sources) +
                   ") but the template has " + std::to_string(restTo.size()) + " (" +
                   joinedNames(targets) +
                   "); pair them with --mapping or use a template of the same architecture";
        });
    const auto& pairs = pairing.pairs;

    // Convert and check every pair before the first write: a refusal leaves the template as is.
    std::vector<std::map<std::string, DenseArray>> converted;
    for (std::size_t p = 0; p < pairs.size(); ++p) {
        TransferPair report;
        report.fromMapping = p < pairing.explicitCount;
        converted.push_back(convertUnitPair(from[pairs[p].first], to[pairs[p].second], report));
        result.pairs.push_back(std::move(report));
    }
    for (std::size_t p = 0; p < pairs.size(); ++p) {
        const SemanticLayer& d = *to[pairs[p].second].layer;
        for (const auto& [role, node] : d.tensors) {
            writeTemplateTensor(keras, *node, converted[p].at(role));
            ++result.tensorsWritten;
        }
    }
    return result;
}

std::vector<PairVerdict> checkTorchToKerasPairs(const Model& source, const Model& keras,
                                                const std::map<std::string, std::string>& pairs) {
    const LayerSet src = layers::recognizeTorchLayers(source);
    const LayerSet dst = layers::recognizeKerasLayers(keras);
    std::vector<std::string> notes;
    const std::vector<SourceUnit> from = torchTransferUnits(src, notes);
    const std::vector<TargetUnit> to = kerasTransferUnits(dst);
    return checkEachPair(
        pairs, [&](const std::string& srcName, const std::string& dstName, TransferPair& report) {
            const auto [i, j] = findMappedPair(from, to, srcName, dstName);
            convertUnitPair(from[i], to[j], report);
        });
}

std::vector<PairVerdict> checkEachPair(
    const std::map<std::string, std::string>& pairs,
    const std::function<void(const std::string&, const std::string&, TransferPair&)>& check) {
    std::vector<PairVerdict> out;
    for (const auto& [source, target] : pairs) {
        PairVerdict v;
        v.pair.sourceUnit = source;
        v.pair.targetLayer = target;
        v.pair.fromMapping = true;
        try {
            check(source, target, v.pair);
        } catch (const FormatError& e) {
            v.refusal = e.what();
        }
        out.push_back(std::move(v));
    }
    return out;
}

std::string transferReportText(const TransferResult& result) {
    std::ostringstream out;
    out << "PyTorch -> Keras"
        << (result.generated ? " (generated model_config)" : " (into the template)") << ": "
        << result.pairs.size() << " layer pair" << (result.pairs.size() == 1 ? "" : "s") << "\n";
    for (const TransferPair& p : result.pairs) {
        out << "  " << p.sourceUnit << " (" << p.sourceKind << ") -> " << p.targetLayer << " ("
            << p.targetKind << ")" << (p.fromMapping ? "  [mapping]" : "") << "\n";
        for (const TransferTensor& t : p.tensors)
            out << "    " << t.sourceNames << " " << t.sourceShape << " -> " << t.targetPath << " "
                << t.targetShape << ": " << t.transform << "\n";
        for (const std::string& n : p.notes) out << "    note: " << n << "\n";
    }
    for (const std::string& n : result.notes) out << "note: " << n << "\n";
    return out.str();
}

nlohmann::json transferReportJson(const TransferResult& result) {
    nlohmann::json pairs = nlohmann::json::array();
    for (const TransferPair& p : result.pairs) {
        nlohmann::json tensors = nlohmann::json::array();
        for (const TransferTensor& t : p.tensors)
            tensors.push_back({{"source", t.sourceNames},
                               {"source_shape", t.sourceShape},
                               {"target", t.targetPath},
                               {"target_shape", t.targetShape},
                               {"transform", t.transform}});
        pairs.push_back({{"source_layer", p.sourceUnit},
                         {"source_kind", p.sourceKind},
                         {"target_layer", p.targetLayer},
                         {"target_kind", p.targetKind},
                         {"from_mapping", p.fromMapping},
                         {"tensors", tensors},
                         {"notes", p.notes}});
    }
    return {{"direction", result.kerasToTorch ? "keras->torch" : "torch->keras"},
            {"generated_config", result.generated},
            {"pairs", pairs},
            {"notes", result.notes},
            {"warnings", result.warnings},
            {"tensors_written", result.tensorsWritten}};
}

}  // namespace ws::convert
