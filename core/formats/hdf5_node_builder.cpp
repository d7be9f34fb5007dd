// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/hdf5_node_builder.h"

#include "formats/keras_config.h"
#include "model/error.h"

namespace ws {

Hdf5NodeBuilder::Hdf5NodeBuilder(std::shared_ptr<h5::File> file, const h5::Object& root,
                                 Node& treeRoot)
    : file_(std::move(file)), root_(root) {
    groups_[""] = &treeRoot;
}

static std::string storageText(const h5::DatasetInfo& info) {
    std::string text = info.layout;
    if (!info.chunkShape.empty()) text += " " + h5::shapeText(info.chunkShape);
    if (info.hasFileOffset) text += " at offset " + std::to_string(info.fileOffset);
    for (std::size_t i = 0; i < info.filters.size(); ++i)
        text += (i ? ", " : ", filters: ") + info.filters[i];
    return text;
}

std::unique_ptr<Node> Hdf5NodeBuilder::objectNode(const h5::Object& object,
                                                  std::string displayName) {
    used_.insert(object.path);
    std::unique_ptr<Node> node;
    if (object.kind == h5::Object::Kind::Dataset) {
        const h5::DatasetInfo& info = object.dataset;
        if (info.type.dtype && !info.null) {
            node = makeTensorNode(std::move(displayName), h5::makeDatasetTensor(file_, info));
            node->setAttribute("hdf5 storage", storageText(info));
        } else {
            std::string shape = info.null ? "no dataspace" : "shape " + h5::shapeText(info.shape);
            node = makeValueNode(
                std::move(displayName),
                "<" + info.type.description + " dataset, " + shape + " (not a tensor type)>",
                "unsupported");
        }
    } else if (object.kind == h5::Object::Kind::Other) {
        node = makeValueNode(std::move(displayName), "<" + object.note + ">", "link");
    } else {
        node = std::make_unique<Node>(NodeKind::Group, std::move(displayName));
    }
    node->path = object.path;
    copyAttributes(*node, object);
    return node;
}

Node* Hdf5NodeBuilder::addObject(Node& parent, const h5::Object& object, std::string displayName) {
    if (parent.findChild(displayName)) displayName = object.path;  // keep sibling names unique
    return parent.addChild(objectNode(object, std::move(displayName)));
}

void Hdf5NodeBuilder::registerGroup(const std::string& groupPath, Node& node) {
    groups_[groupPath] = &node;
    used_.insert(groupPath);
}

Node& Hdf5NodeBuilder::groupNode(const std::string& groupPath) {
    auto it = groups_.find(groupPath);
    if (it != groups_.end()) return *it->second;
    const std::size_t slash = groupPath.rfind('/');
    Node& parent = groupNode(slash == std::string::npos ? "" : groupPath.substr(0, slash));
    const std::string name = slash == std::string::npos ? groupPath : groupPath.substr(slash + 1);
    auto node = std::make_unique<Node>(NodeKind::Group, name);
    node->path = groupPath;
    if (const h5::Object* object = root_.find(groupPath)) copyAttributes(*node, *object);
    Node* added = parent.addChild(std::move(node));
    groups_[groupPath] = added;
    return *added;
}

void Hdf5NodeBuilder::addUnclaimed(const h5::Object& object) {
    if (object.kind == h5::Object::Kind::Group) {
        for (const auto& child : object.children) addUnclaimed(*child);
        // An empty group nobody mentioned still exists in the file: show it.
        if (object.children.empty() && !used(object.path) && !object.path.empty())
            groupNode(object.path);
        return;
    }
    if (used(object.path)) return;
    const std::size_t slash = object.path.rfind('/');
    Node& parent = groupNode(slash == std::string::npos ? "" : object.path.substr(0, slash));
    addObject(parent, object, object.name);
}

void Hdf5NodeBuilder::copyAttributes(Node& node, const h5::Object& object,
                                     const std::set<std::string>& skip) {
    for (const auto& attribute : object.attributes)
        if (!skip.count(attribute.name)) node.setAttribute(attribute.name, attribute.text());
}

void Hdf5NodeBuilder::addAttributeValues(Node& parent, const h5::Object& object) {
    for (const auto& attribute : object.attributes) {
        const std::string text = attribute.text();
        std::string type;
        if (attribute.kind == h5::Attribute::Kind::String && attribute.scalar)
            type = keras::parseJson(text).is_object() ? "json" : "str";
        else if (attribute.kind == h5::Attribute::Kind::Integer && attribute.scalar)
            type = "int";
        else if (attribute.kind == h5::Attribute::Kind::Float && attribute.scalar)
            type = "float";
        else if (attribute.kind == h5::Attribute::Kind::Bool && attribute.scalar)
            type = "bool";
        else if (attribute.kind == h5::Attribute::Kind::Unsupported)
            type = "unsupported";
        else
            type = "list";
        auto node = makeValueNode(attribute.name, text, type);
        node->path = object.path + "@" + attribute.name;
        parent.addChild(std::move(node));
    }
}

}  // namespace ws
