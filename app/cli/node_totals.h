// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Tensor, parameter and byte counts of every subtree, computed once so printing a model with
// many thousands of nodes stays linear.
#include <cstdint>
#include <unordered_map>

#include "model/model.h"

namespace wscli {

struct Totals {
    std::uint64_t tensors = 0;
    std::uint64_t parameters = 0;  // sum of numel
    std::uint64_t bytes = 0;       // sum of numel * element size
};

class NodeTotals {
  public:
    explicit NodeTotals(const ws::Model& model);
    const Totals& of(const ws::Node& node) const;
    const Totals& model() const { return root_; }

  private:
    Totals visit(const ws::Node& node);
    std::unordered_map<const ws::Node*, Totals> byNode_;
    Totals root_;
};

}  // namespace wscli
