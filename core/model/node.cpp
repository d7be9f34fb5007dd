// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/node.h"

namespace ws {

const char* nodeKindName(NodeKind k) {
    switch (k) {
        case NodeKind::Group:
            return "group";
        case NodeKind::Layer:
            return "layer";
        case NodeKind::Tensor:
            return "tensor";
        case NodeKind::Value:
            return "value";
    }
    return "?";
}

Node* Node::addChild(std::unique_ptr<Node> child, const char* separator) {
    child->parent = this;
    if (child->path.empty())
        child->path = path.empty() ? child->name : path + separator + child->name;
    children.push_back(std::move(child));
    return children.back().get();
}

Node* Node::findChild(const std::string& childName) const {
    for (const auto& c : children)
        if (c->name == childName) return c.get();
    return nullptr;
}

Node* Node::childOrCreate(const std::string& childName, NodeKind kind, const char* separator) {
    if (Node* existing = findChild(childName)) return existing;
    return addChild(std::make_unique<Node>(kind, childName), separator);
}

void Node::setAttribute(const std::string& key, std::string text) {
    for (auto& kv : attributes)
        if (kv.first == key) {
            kv.second = std::move(text);
            return;
        }
    attributes.emplace_back(key, std::move(text));
}

const std::string* Node::attribute(const std::string& key) const {
    for (const auto& kv : attributes)
        if (kv.first == key) return &kv.second;
    return nullptr;
}

std::unique_ptr<Node> makeTensorNode(std::string name, TensorPtr tensor) {
    auto n = std::make_unique<Node>(NodeKind::Tensor, std::move(name));
    n->tensor = std::move(tensor);
    return n;
}

std::unique_ptr<Node> makeValueNode(std::string name, std::string value, std::string valueType) {
    auto n = std::make_unique<Node>(NodeKind::Value, std::move(name));
    n->value = std::move(value);
    n->valueType = std::move(valueType);
    return n;
}

}  // namespace ws
