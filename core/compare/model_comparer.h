// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// "Compare with...": two models side by side, layer pair by layer pair, with the metrics of
// diff_metrics.h per tensor pair and per layer pair. Same-framework files compare in their
// stored layout; a Keras file and a PyTorch file compare in the Keras layout, the PyTorch
// side's tensors converted by the conversion rules (compare_units.h), so a model and its
// `weightsmith-cli convert` output compare tensor for tensor.
//
// Memory: metrics stream both tensors in pieces (diff_metrics.h); only a converted PyTorch unit
// is materialized, one layer pair at a time.
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compare/compare_units.h"
#include "compare/diff_metrics.h"
#include "model/model.h"

namespace ws::compare {

struct TensorComparison {
    std::string role;          // "kernel:0", "weight", "recurrent_kernel" (common-layout name)
    std::string pathA, pathB;  // the tensors in the files; a converted one names its sources
    std::vector<std::int64_t> shapeA, shapeB;  // in the common layout; empty when absent
    std::string problem;  // "only in A", "shapes differ: ...", a read error; empty when compared
    DiffMetrics metrics;
    bool identical() const { return problem.empty() && metrics.identical(); }
};

struct LayerComparison {
    UnitPair pair;
    std::string labelA, labelB, kindA, kindB;  // empty on a side without a partner
    std::vector<TensorComparison> tensors;
    DiffMetrics total;       // over every compared tensor pair, as if they were one vector
    std::string problem;     // the layer could not be aligned (conversion refused)
    bool identical() const;  // both sides, no problem, every tensor present on both and identical
};

struct ModelComparison {
    bool crossFormat = false;
    std::string layout;  // what "the common layout" is, for reports
    std::vector<LayerComparison> layers;
    std::vector<std::string> notes;
    std::size_t identicalLayers() const;
};

// One tensor pair in the common layout (null on a side that lacks it).
struct AlignedTensor {
    std::string role, pathA, pathB;
    TensorPtr a, b;
};

class ModelComparer {
  public:
    // The models must outlive the comparer. Throws FormatError when a Keras <-> PyTorch pair
    // cannot be aligned (no model config, a layer PyTorch cannot compute).
    ModelComparer(const Model& a, const Model& b);
    ~ModelComparer();

    bool crossFormat() const { return cross_; }
    std::string layout() const;
    const std::vector<CompareUnit>& unitsA() const { return a_->units; }
    const std::vector<CompareUnit>& unitsB() const { return b_->units; }
    std::vector<std::string> notes() const;

    // Explicit pairs: A label -> B label (empty: leave unpaired); see pairUnits().
    std::vector<UnitPair> pair(const std::map<std::string, std::string>& explicitPairs) const;
    std::vector<AlignedTensor> alignedTensors(const UnitPair& pair) const;
    // A conversion or read failure becomes LayerComparison::problem / TensorComparison::problem;
    // only ReadCancelled passes through.
    LayerComparison compareLayer(const UnitPair& pair,
                                 const std::atomic<bool>* cancel = nullptr) const;
    ModelComparison compare(const std::map<std::string, std::string>& explicitPairs,
                            const std::atomic<bool>* cancel = nullptr) const;

  private:
    const CompareUnit* unit(bool sideA, int index) const;
    // A unit's tensors in the common layout, in a stable order (partner: the other side's unit,
    // whose Keras hyper-parameters a converted PyTorch unit needs).
    std::vector<std::tuple<std::string, std::string, TensorPtr>> tensorsOf(
        const CompareUnit& unit, const CompareUnit* partner) const;

    std::unique_ptr<CompareSide> a_, b_;
    bool cross_ = false;
};

}  // namespace ws::compare
