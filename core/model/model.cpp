// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/model.h"

namespace ws {

Model::Model() : root(std::make_unique<Node>(NodeKind::Group, "")) {}

static void visit(Node& node, const std::function<void(Node&)>& fn) {
    fn(node);
    for (auto& c : node.children) visit(*c, fn);
}

void Model::forEachNode(const std::function<void(Node&)>& fn) const {
    for (auto& c : root->children) visit(*c, fn);
}

void Model::forEachTensor(const std::function<void(Node&)>& fn) const {
    forEachNode([&](Node& n) {
        if (n.kind == NodeKind::Tensor) fn(n);
    });
}

void Model::reindex() {
    index_.clear();
    forEachNode([&](Node& n) { index_.emplace(n.path, &n); });
    indexed_ = true;
}

Node* Model::find(const std::string& path) const {
    if (!indexed_) const_cast<Model*>(this)->reindex();
    auto it = index_.find(path);
    return it == index_.end() ? nullptr : it->second;
}

}  // namespace ws
