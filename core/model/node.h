// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The format-neutral tree every reader produces: groups, layers (modules), tensors and plain
// values (epoch, configs, optimizer settings, placeholder objects). Nothing a file holds is
// dropped: what has no better place becomes a value node.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/tensor.h"

namespace ws {

enum class NodeKind { Group, Layer, Tensor, Value };
const char* nodeKindName(NodeKind k);  // "group", "layer", "tensor", "value"

class Node {
  public:
    Node(NodeKind kind, std::string name) : kind(kind), name(std::move(name)) {}

    NodeKind kind;
    std::string name;       // shown in the tree
    std::string path;       // unique in the model; what `inspect --tensor` and later commands take
    std::string className;  // layer/module class ("Linear", "LSTM", "torch.nn.modules.rnn.LSTM")
    // Extra facts as key/value text: a Keras layer's JSON config, a module's hyper-parameters,
    // an HDF5 attribute, the storage key of a tensor.
    std::vector<std::pair<std::string, std::string>> attributes;
    std::string value;      // Value nodes: the value as text (JSON for structured values)
    std::string valueType;  // Value nodes: "int", "float", "str", "bool", "None", "json", ...
    TensorPtr tensor;       // Tensor nodes only

    Node* parent = nullptr;
    std::vector<std::unique_ptr<Node>> children;

    // Appends a child; fills its path from this node's path and `separator` when left empty.
    Node* addChild(std::unique_ptr<Node> child, const char* separator = "/");
    Node* findChild(const std::string& childName) const;
    // The child named childName, created as a group/layer node when missing.
    Node* childOrCreate(const std::string& childName, NodeKind kind = NodeKind::Group,
                        const char* separator = "/");
    void setAttribute(const std::string& key, std::string text);
    const std::string* attribute(const std::string& key) const;
};

// Helpers for readers.
std::unique_ptr<Node> makeTensorNode(std::string name, TensorPtr tensor);
std::unique_ptr<Node> makeValueNode(std::string name, std::string value, std::string valueType);

}  // namespace ws
