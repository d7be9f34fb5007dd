// SPDX-License-Identifier: GPL-3.0-or-later
#include "node_totals.h"

namespace wscli {

NodeTotals::NodeTotals(const ws::Model& model) { root_ = visit(*model.root); }

Totals NodeTotals::visit(const ws::Node& node) {
    Totals t;
    if (node.kind == ws::NodeKind::Tensor && node.tensor) {
        t.tensors = 1;
        t.parameters = std::uint64_t(node.tensor->numel());
        t.bytes = node.tensor->nbytes();
    }
    for (const auto& child : node.children) {
        const Totals c = visit(*child);
        t.tensors += c.tensors;
        t.parameters += c.parameters;
        t.bytes += c.bytes;
    }
    byNode_[&node] = t;
    return t;
}

const Totals& NodeTotals::of(const ws::Node& node) const {
    static const Totals none;
    auto it = byNode_.find(&node);
    return it == byNode_.end() ? none : it->second;
}

}  // namespace wscli
