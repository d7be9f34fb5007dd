// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/unsupported.h"

#include "model/error.h"

namespace ws {

namespace {
constexpr const char* kAttribute = "unsupported";
}

void markUnsupported(Model& model, Node& node, const std::string& reason) {
    node.setAttribute(kAttribute, reason);
    model.warnings.push_back("'" + node.path + "': " + reason);
}

const std::string* unsupportedReason(const Node& node) { return node.attribute(kAttribute); }

std::vector<const Node*> unsupportedNodes(const Model& model) {
    std::vector<const Node*> nodes;
    model.forEachNode([&](Node& n) {
        if (unsupportedReason(n)) nodes.push_back(&n);
    });
    return nodes;
}

void refuseToLoseUnsupported(const Model& model, bool drop, const std::string& writing) {
    if (drop) return;
    const std::vector<const Node*> lost = unsupportedNodes(model);
    if (lost.empty()) return;
    std::string names;
    for (std::size_t i = 0; i < lost.size() && i < 10; ++i)
        names += (i ? ", '" : "'") + lost[i]->path + "'";
    if (lost.size() > 10) names += " and " + std::to_string(lost.size() - 10) + " more";
    throw FormatError(writing + " would lose " + std::to_string(lost.size()) + " tensor" +
                      (lost.size() == 1 ? "" : "s") + " Weightsmith cannot read: " + names +
                      " (--drop-unsupported writes the rest)");
}

}  // namespace ws
