// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/model_comparer.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <tuple>

#include "convert/torch_to_keras_transfer.h"
#include "model/error.h"
#include "stats/element_grid.h"

namespace ws::compare {

bool LayerComparison::identical() const {
    if (pair.a < 0 || pair.b < 0 || !problem.empty() || tensors.empty()) return false;
    for (const TensorComparison& t : tensors)
        if (!t.identical()) return false;
    return true;
}

std::size_t ModelComparison::identicalLayers() const {
    return std::size_t(std::count_if(layers.begin(), layers.end(),
                                     [](const LayerComparison& l) { return l.identical(); }));
}

ModelComparer::ModelComparer(const Model& a, const Model& b) {
    cross_ = frameworkOf(a) != frameworkOf(b);
    if (!cross_) {
        a_ = storedUnits(a);
        b_ = storedUnits(b);
        return;
    }
    // Each side separately, so that the message names the file that cannot be aligned.
    for (const auto& [model, units] : {std::pair{&a, &a_}, std::pair{&b, &b_}}) {
        try {
            *units = conversionUnits(*model);
        } catch (const FormatError& e) {
            throw FormatError(model->filePath +
                              ": cannot align a Keras and a PyTorch model: " + e.what());
        }
    }
}

ModelComparer::~ModelComparer() = default;

std::string ModelComparer::layout() const {
    return cross_ ? "Keras layout (the PyTorch side converted by the conversion rules)"
                  : "stored layout (same framework)";
}

std::vector<std::string> ModelComparer::notes() const {
    std::vector<std::string> out;
    for (const std::string& n : a_->notes) out.push_back("A: " + n);
    for (const std::string& n : b_->notes) out.push_back("B: " + n);
    return out;
}

std::vector<UnitPair> ModelComparer::pair(
    const std::map<std::string, std::string>& explicitPairs) const {
    return pairUnits(a_->units, b_->units, explicitPairs, cross_);
}

const CompareUnit* ModelComparer::unit(bool sideA, int index) const {
    const auto& units = sideA ? a_->units : b_->units;
    return index >= 0 && std::size_t(index) < units.size() ? &units[std::size_t(index)] : nullptr;
}

std::vector<std::tuple<std::string, std::string, TensorPtr>> ModelComparer::tensorsOf(
    const CompareUnit& u, const CompareUnit* partner) const {
    std::vector<std::tuple<std::string, std::string, TensorPtr>> out;
    if (!u.converted) {
        for (const auto& [role, node] : u.tensors) out.emplace_back(role, node->path, node->tensor);
        return out;
    }
    // A PyTorch unit in Keras layout, with the Keras partner's hyper-parameters and Flatten
    // order when it has one. Values are stored as the conversion writes them into the partner:
    // rounded to its float32 (only a summed bias_ih + bias_hh can round), else float64.
    convert::TransferPair report;
    auto converted = convert::torchUnitToKeras(
        *u.layer, u.stackIndex, partner ? partner->params : u.params, report,
        partner ? partner->preFlattenShape : std::vector<std::int64_t>{});
    for (std::size_t i = 0; i < converted.size(); ++i) {
        convert::DenseArray& array = converted[i].second;
        const auto target = partner ? partner->tensors.find(converted[i].first)
                                    : std::map<std::string, const Node*>::const_iterator{};
        const bool toF32 = partner && target != partner->tensors.end() &&
                           target->second->tensor->dtype == DType::F32;
        array.dtype = toF32 ? DType::F32 : DType::F64;
        const std::string sources = i < report.tensors.size() ? report.tensors[i].sourceNames : "";
        out.emplace_back(converted[i].first, sources,
                         convert::toTensorNode(array, sources)->tensor);
    }
    return out;
}

std::vector<AlignedTensor> ModelComparer::alignedTensors(const UnitPair& p) const {
    const CompareUnit* ua = unit(true, p.a);
    const CompareUnit* ub = unit(false, p.b);
    std::vector<AlignedTensor> out;
    auto place = [&](const std::string& role) -> AlignedTensor& {
        for (AlignedTensor& t : out)
            if (t.role == role) return t;
        out.push_back({role, "", "", nullptr, nullptr});
        return out.back();
    };
    if (ua)
        for (auto& [role, path, tensor] : tensorsOf(*ua, ub)) {
            AlignedTensor& t = place(role);
            t.pathA = path;
            t.a = tensor;
        }
    if (ub)
        for (auto& [role, path, tensor] : tensorsOf(*ub, ua)) {
            AlignedTensor& t = place(role);
            t.pathB = path;
            t.b = tensor;
        }
    return out;
}

LayerComparison ModelComparer::compareLayer(const UnitPair& p,
                                            const std::atomic<bool>* cancel) const {
    LayerComparison out;
    out.pair = p;
    if (const CompareUnit* ua = unit(true, p.a)) {
        out.labelA = ua->label;
        out.kindA = ua->kind;
    }
    if (const CompareUnit* ub = unit(false, p.b)) {
        out.labelB = ub->label;
        out.kindB = ub->kind;
    }
    std::vector<AlignedTensor> aligned;
    try {
        aligned = alignedTensors(p);
    } catch (const std::exception& e) {
        out.problem = e.what();
        return out;
    }
    for (const AlignedTensor& t : aligned) {
        TensorComparison c;
        c.role = t.role;
        c.pathA = t.pathA;
        c.pathB = t.pathB;
        bool dtypesOnly = false;
        if (t.a) c.shapeA = t.a->shape;
        if (t.b) c.shapeB = t.b->shape;
        if (!t.a || !t.b) {
            c.problem = t.a ? "only in A" : "only in B";
        } else if (t.a->shape != t.b->shape) {
            c.problem =
                "shapes differ: " + shapeToString(t.a->shape) + " vs " + shapeToString(t.b->shape);
        } else if (!cross_ && t.a->dtype != t.b->dtype) {
            dtypesOnly = true;  // still comparable by value
            c.problem = std::string("dtypes differ: ") + dtypeName(t.a->dtype) + " vs " +
                        dtypeName(t.b->dtype);
        }
        if (c.problem.empty() || dtypesOnly) {
            try {
                c.metrics = compareTensors(*t.a, *t.b, cancel);
                out.total.merge(c.metrics);
            } catch (const ReadCancelled&) {
                throw;
            } catch (const std::exception& e) {
                c.problem = e.what();
            }
        }
        out.tensors.push_back(std::move(c));
    }
    return out;
}

ModelComparison ModelComparer::compare(const std::map<std::string, std::string>& explicitPairs,
                                       const std::atomic<bool>* cancel) const {
    ModelComparison out;
    out.crossFormat = cross_;
    out.layout = layout();
    out.notes = notes();
    for (const UnitPair& p : pair(explicitPairs)) out.layers.push_back(compareLayer(p, cancel));
    return out;
}

}  // namespace ws::compare
