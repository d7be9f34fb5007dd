// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What both report writers (text and JSON) are given: the opened model, its subtree totals, the
// statistics computed for --stats, and the node --tensor selected.
#include <unordered_map>

#include "model/model.h"
#include "node_totals.h"
#include "stats/tensor_stats.h"

namespace wscli {

using StatsByNode = std::unordered_map<const ws::Node*, ws::TensorStats>;

struct ReportInput {
    const ws::Model& model;
    const NodeTotals& totals;
    const StatsByNode* stats = nullptr;  // set with --stats
    const ws::Node* only = nullptr;      // set with --tensor: report just this subtree
};

}  // namespace wscli
