// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/convert_engine.h"

#include <cmath>
#include <cstring>

#include "model/error.h"

namespace ws::convert {

namespace {

std::string axesText(const std::vector<int>& axes) {
    std::string s;
    for (int a : axes) s += (s.empty() ? "" : ",") + std::to_string(a);
    return s;
}

std::vector<std::string> directions(const layers::SemanticLayer& layer, const LayerRule& rule) {
    if (rule.recurrent && layer.params.value("bidirectional", false)) return {"", "backward."};
    return {""};
}

bool broken(const EngineOptions& o, const LayerRule& rule, const TensorRule& t, const char* what) {
    const std::string w = what;
    if (w == "gates")
        return rule.kind == "GRU" && t.gateBlocks && o.brokenRules.count("gru-no-gate-swap");
    if (w == "sum") return rule.kind == "LSTM" && o.brokenRules.count("lstm-bias-copied");
    return false;
}

// The shape a filled-in tensor takes: that of any tensor of the layer whose rule also fills
// (BatchNorm gamma/beta are as long as moving_mean).
const Node* affineSibling(const layers::SemanticLayer& layer, const LayerRule& rule,
                          const std::string& dir) {
    for (const TensorRule& t : rule.tensors) {
        auto it = layer.tensors.find(dir + t.kerasRole);
        if (it != layer.tensors.end() && !std::isnan(t.fillWhenAbsent)) return it->second;
    }
    return nullptr;
}

// Whether the stored PyTorch split (rows bias_ih, bias_hh) sums to the Keras bias exactly: the
// sum rounded to the bias's dtype, bit for bit (the way PyTorch -> Keras computed it).
bool splitSumsToBias(const DenseArray& split, const DenseArray& bias) {
    if (split.shape.size() != 2 || split.shape[0] != 2 || bias.shape.size() != 1 ||
        split.shape[1] != bias.shape[0])
        return false;
    const DenseArray sum = added(takeRow(split, 0), takeRow(split, 1));
    for (std::size_t i = 0; i < sum.data.size(); ++i) {
        if (bias.dtype == DType::F64) {
            if (std::memcmp(&sum.data[i], &bias.data[i], sizeof(double)) != 0) return false;
        } else {
            const float s = static_cast<float>(sum.data[i]), b = static_cast<float>(bias.data[i]);
            if (std::memcmp(&s, &b, sizeof(float)) != 0) return false;
        }
    }
    return true;
}

// The PyTorch tensor `name` in the Keras layout of its rule's tensor (gate order, axes,
// depthwise split, Flatten row order); GRU bias rows are stacked by the caller.
DenseArray toKerasLayout(DenseArray a, const TensorRule& tr, const LayerRule& rule,
                         const LayerContext& context, const nlohmann::json& kerasParams,
                         const std::string& name) {
    if (tr.gateBlocks && !rule.gateOrder.empty()) a = reorderBlocks(a, invertAxes(rule.gateOrder));
    if (tr.depthwiseMerge) {
        const std::int64_t m = kerasParams.value("depth_multiplier", std::int64_t(1));
        if (m <= 0 || a.shape.size() < 2 || a.shape[0] % m != 0)
            throw FormatError("'" + name + "' " + shapeToString(a.shape) +
                              " does not split into depth_multiplier " + std::to_string(m));
        std::vector<std::int64_t> s{a.shape[0] / m, m};
        s.insert(s.end(), a.shape.begin() + 2, a.shape.end());
        a = reshaped(std::move(a), s);
    }
    if (!tr.toTorchAxes.empty()) a = permuteAxes(a, invertAxes(tr.toTorchAxes));
    if (tr.flattenRows && !context.preFlattenShape.empty())
        a = reorderFlattened(a, 0, context.preFlattenShape, true);
    return a;
}

}  // namespace

std::string torchTensorName(const std::string& pattern, int stackIndex, bool reverse) {
    std::string out = pattern;
    auto replace = [&](const std::string& key, const std::string& value) {
        for (auto p = out.find(key); p != std::string::npos; p = out.find(key))
            out.replace(p, key.size(), value);
    };
    replace("{k}", std::to_string(stackIndex));
    replace("{dir}", reverse ? "_reverse" : "");
    return out;
}

std::vector<TorchTensor> kerasLayerToTorch(const layers::SemanticLayer& layer,
                                           const LayerRule& rule, const LayerContext& context,
                                           const EngineOptions& options) {
    std::vector<TorchTensor> out;
    for (const std::string& dir : directions(layer, rule)) {
        for (const TensorRule& tr : rule.tensors) {
            const std::string role = dir + tr.kerasRole;
            auto it = layer.tensors.find(role);
            TorchTensor t;
            t.name = context.torchPrefix +
                     torchTensorName(tr.torchName, context.stackIndex, !dir.empty());
            std::vector<std::string> steps;
            if (it == layer.tensors.end()) {
                const Node* sibling =
                    std::isnan(tr.fillWhenAbsent) ? nullptr : affineSibling(layer, rule, dir);
                if (!tr.optional)
                    throw FormatError(rule.kind + " layer '" + layer.name + "' has no '" + role +
                                      "' tensor in the file");
                if (!sibling) continue;  // absent on both sides (use_bias=False, affine=False)
                const DenseArray like = DenseArray::fromNode(*sibling);
                t.array = DenseArray::filled(like.shape, tr.fillWhenAbsent, like.dtype);
                t.source = "(none: Keras layer has no " + role + ")";
                t.transform = "filled with " + std::to_string(int(tr.fillWhenAbsent));
                out.push_back(std::move(t));
                continue;
            }
            DenseArray a = DenseArray::fromNode(*it->second);
            t.source = it->second->path;
            // A Keras file we generated from PyTorch carries the original bias_ih / bias_hh:
            // used when it still sums to the Keras bias (else the bias was edited since).
            bool fromSplit = false;
            auto split = layer.extras.find(dir + kTorchBiasSplitRole);
            if (tr.sum != SumPart::None && split != layer.extras.end() &&
                !broken(options, rule, tr, "sum")) {
                const DenseArray rows = DenseArray::fromNode(*split->second);
                if (splitSumsToBias(rows, a)) {
                    const int r = tr.sum == SumPart::Carrier ? 0 : 1;
                    a = takeRow(rows, r);
                    t.source = split->second->path;
                    steps.push_back("row " + std::to_string(r) +
                                    " (the PyTorch source's own value; its float32 sum with row " +
                                    std::to_string(1 - r) + " is the Keras bias)");
                    fromSplit = true;
                } else if (tr.sum == SumPart::Carrier) {
                    t.warning = "layer '" + layer.name + "': '" + split->second->path +
                                "' (the PyTorch bias_ih/bias_hh of the original) does not sum to "
                                "the Keras bias '" +
                                it->second->path +
                                "' (edited since?): the rule is applied instead (bias_ih = the "
                                "Keras bias, bias_hh = 0)";
                }
            }
            if (context.theanoKernels && !tr.theanoFlipAxes.empty()) {
                a = flipAxes(a, tr.theanoFlipAxes);
                steps.push_back("flip spatial axes (Theano kernel)");
            }
            if (tr.flattenRows && !context.preFlattenShape.empty()) {
                a = reorderFlattened(a, 0, context.preFlattenShape, false);
                steps.push_back("rows " + shapeToString(context.preFlattenShape) +
                                " channels-last -> channels-first order");
            }
            if (tr.kerasRow >= 0) {
                if (a.shape.size() != 2)
                    throw FormatError(rule.kind + " layer '" + layer.name + "': '" + t.source +
                                      "' has shape " + shapeToString(a.shape) +
                                      ", expected one row per PyTorch bias (2, n)");
                a = takeRow(a, tr.kerasRow);
                steps.push_back("row " + std::to_string(tr.kerasRow));
            }
            if (!tr.toTorchAxes.empty()) {
                a = permuteAxes(a, tr.toTorchAxes);
                steps.push_back("transpose(" + axesText(tr.toTorchAxes) + ")");
            }
            if (tr.depthwiseMerge) {
                std::vector<std::int64_t> s{a.shape.at(0) * a.shape.at(1), 1};
                s.insert(s.end(), a.shape.begin() + 2, a.shape.end());
                a = reshaped(std::move(a), s);
                steps.push_back("reshape (C, m, k...) -> (C*m, 1, k...)");
            }
            if (tr.gateBlocks && !rule.gateOrder.empty() && !broken(options, rule, tr, "gates")) {
                a = reorderBlocks(a, rule.gateOrder);
                if (rule.kerasGates != rule.torchGates)
                    steps.push_back("gates " + rule.kerasGates + " -> " + rule.torchGates);
            }
            if (tr.sum == SumPart::Carrier && !fromSplit)
                steps.push_back("whole Keras bias (PyTorch adds bias_hh)");
            if (tr.sum == SumPart::Zero && !fromSplit && !broken(options, rule, tr, "sum")) {
                a = DenseArray::filled(a.shape, 0.0, a.dtype);
                steps = {"zeros (Keras has one summed bias)"};
            }
            for (const auto& s : steps) t.transform += (t.transform.empty() ? "" : ", ") + s;
            if (t.transform.empty()) t.transform = "copy";
            t.array = std::move(a);
            out.push_back(std::move(t));
        }
    }
    for (const std::string& counter : rule.torchCounters) {
        TorchTensor t;
        t.name = context.torchPrefix + counter;
        t.array = DenseArray::filled({}, 0.0, DType::I64);
        t.source = "(none)";
        t.transform = "int64 0 (PyTorch-only counter)";
        out.push_back(std::move(t));
    }
    return out;
}

std::map<std::string, DenseArray> torchLayerToKeras(const std::map<std::string, DenseArray>& torch,
                                                    const LayerRule& rule,
                                                    const LayerContext& context,
                                                    const nlohmann::json& kerasParams) {
    std::map<std::string, DenseArray> out;
    std::map<std::string, std::map<int, DenseArray>> rows;
    const bool bi = rule.recurrent && kerasParams.value("bidirectional", false);
    for (const std::string& dir :
         bi ? std::vector<std::string>{"", "backward."} : std::vector<std::string>{""}) {
        for (const TensorRule& tr : rule.tensors) {
            const std::string name =
                context.torchPrefix +
                torchTensorName(tr.torchName, context.stackIndex, !dir.empty());
            auto it = torch.find(name);
            if (it == torch.end()) {
                if (tr.optional) continue;
                throw FormatError("PyTorch tensor '" + name + "' is missing for a " + rule.kind +
                                  " layer");
            }
            DenseArray a = toKerasLayout(it->second, tr, rule, context, kerasParams, name);
            const std::string role = dir + tr.kerasRole;
            if (tr.kerasRow >= 0) {
                rows[role][tr.kerasRow] = std::move(a);
            } else if (tr.sum != SumPart::None && out.count(role)) {
                out[role] = added(out[role], a);
            } else {
                out[role] = std::move(a);
            }
        }
    }
    for (auto& [role, parts] : rows) {
        std::vector<DenseArray> ordered;
        for (int i = 0; i < int(parts.size()); ++i) {
            if (!parts.count(i))
                throw FormatError("row " + std::to_string(i) + " of Keras " + role +
                                  " has no PyTorch source");
            ordered.push_back(parts[i]);
        }
        out[role] = stackRows(ordered);
    }
    return out;
}

std::map<std::string, DenseArray> torchBiasSplits(const std::map<std::string, DenseArray>& torch,
                                                  const LayerRule& rule,
                                                  const LayerContext& context,
                                                  const nlohmann::json& kerasParams) {
    std::map<std::string, DenseArray> out;
    const bool bi = rule.recurrent && kerasParams.value("bidirectional", false);
    for (const std::string& dir :
         bi ? std::vector<std::string>{"", "backward."} : std::vector<std::string>{""}) {
        DenseArray carrier, zero;
        bool haveCarrier = false, haveZero = false;
        for (const TensorRule& tr : rule.tensors) {
            if (tr.sum == SumPart::None) continue;
            const std::string name =
                context.torchPrefix +
                torchTensorName(tr.torchName, context.stackIndex, !dir.empty());
            auto it = torch.find(name);
            if (it == torch.end()) continue;
            DenseArray a = toKerasLayout(it->second, tr, rule, context, kerasParams, name);
            (tr.sum == SumPart::Carrier ? carrier : zero) = std::move(a);
            (tr.sum == SumPart::Carrier ? haveCarrier : haveZero) = true;
        }
        if (haveCarrier && haveZero) out[dir + kTorchBiasSplitRole] = stackRows({carrier, zero});
    }
    return out;
}

}  // namespace ws::convert
