// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns parts of an HDF5 snapshot into tree nodes for the Keras readers: tensors for datasets
// (values stay in the file), value nodes for what is not a tensor, attributes as text, and a
// final pass that places every dataset no layer claimed, so nothing in the file is dropped.
#include <map>
#include <memory>
#include <set>
#include <string>

#include "containers/hdf5/hdf5_tree.h"
#include "model/model.h"

namespace ws {

class Hdf5NodeBuilder {
  public:
    Hdf5NodeBuilder(std::shared_ptr<h5::File> file, const h5::Object& root, Node& treeRoot);

    // A node for one dataset (or link/named type): a tensor when it has a tensor type, else a
    // value node saying what it is. Node::path is the dataset path. Marks the object used.
    std::unique_ptr<Node> objectNode(const h5::Object& object, std::string displayName);
    // Adds objectNode(object) under parent, renaming on a clash with an existing child.
    Node* addObject(Node& parent, const h5::Object& object, std::string displayName);

    // Registers a node as the home of an HDF5 group, so unclaimed datasets below it land there.
    void registerGroup(const std::string& groupPath, Node& node);
    // The node for an HDF5 group path: a registered one, else a mirrored group node (created
    // with its parents, carrying the group's attributes).
    Node& groupNode(const std::string& groupPath);

    bool used(const std::string& path) const { return used_.count(path) != 0; }
    // Adds every dataset/link below `object` (itself included) that no one has placed yet.
    void addUnclaimed(const h5::Object& object);

    // Copies HDF5 attributes to Node::attributes (text), except those named in `skip`.
    static void copyAttributes(Node& node, const h5::Object& object,
                               const std::set<std::string>& skip = {});
    // Value nodes for the attributes of `object` under `parent`, paths "<object path>@<name>".
    static void addAttributeValues(Node& parent, const h5::Object& object);

  private:
    std::shared_ptr<h5::File> file_;
    const h5::Object& root_;
    std::map<std::string, Node*> groups_;
    std::set<std::string> used_;
};

}  // namespace ws
