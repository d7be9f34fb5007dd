// SPDX-License-Identifier: GPL-3.0-or-later
// Keras HDF5 files written by Keras 1, Keras 2 / tf.keras and Keras 3's legacy `.h5` writer:
// full models (model_weights + model_config), save_weights files (layer_names at the root),
// and, dispatched from here by content, Keras 3 `.weights.h5` files (layers/<path>/vars/<i>).
#include <set>

#include "containers/hdf5/hdf5_tree.h"
#include "formats/hdf5_node_builder.h"
#include "formats/keras_config.h"
#include "formats/keras_v3_layout.h"
#include "formats/readers.h"
#include "model/error.h"

namespace ws {

using nlohmann::json;

namespace {

// Keras splits attributes larger than the 64 KiB header limit into name0, name1, ...
// (save_attributes_to_hdf5_group); an empty float array means "no entries".
std::vector<std::string> kerasStringList(const h5::Object& object, const std::string& name,
                                         bool* present = nullptr) {
    if (const h5::Attribute* whole = object.attribute(name)) {
        if (present) *present = true;
        return whole->strings();
    }
    std::vector<std::string> out;
    for (int chunk = 0;; ++chunk) {
        const h5::Attribute* part = object.attribute(name + std::to_string(chunk));
        if (!part) break;
        if (present) *present = true;
        for (auto& s : part->strings()) out.push_back(s);
    }
    return out;
}

std::string scalarString(const h5::Object& object, const std::string& name) {
    const h5::Attribute* a = object.attribute(name);
    if (!a || a->kind != h5::Attribute::Kind::String || a->items.empty()) return {};
    return a->items.front();
}

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::string joinPath(const std::vector<std::string>& parts, std::size_t from) {
    std::string out;
    for (std::size_t i = from; i < parts.size(); ++i) out += (out.empty() ? "" : "/") + parts[i];
    return out;
}

class LegacyKerasReader {
  public:
    LegacyKerasReader(std::shared_ptr<h5::File> file, const h5::Object& root, Model& model)
        : root_(root), model_(model), builder_(file, root, *model.root) {}

    void read() {
        const h5::Object* weights = root_.child("model_weights");
        const bool fullModel = weights && weights->kind == h5::Object::Kind::Group;
        if (!fullModel) weights = &root_;

        config_ = keras::parseJson(kerasJsonAttribute("model_config"));
        if (config_.is_object()) modelName_ = keras::layerName(config_);

        Node* weightsNode = model_.root.get();
        if (fullModel) {
            auto group = std::make_unique<Node>(NodeKind::Group, "model_weights");
            group->path = weights->path;
            Hdf5NodeBuilder::copyAttributes(*group, *weights);
            weightsNode = model_.root->addChild(std::move(group));
            builder_.registerGroup(weights->path, *weightsNode);
        }
        bool hasLayerNames = false;
        const auto layerNames = kerasStringList(*weights, "layer_names", &hasLayerNames);
        for (const auto& name : layerNames) addLayer(*weightsNode, *weights, name);

        // Everything else: optimizer_weights, top_level_model_weights, stray datasets.
        builder_.addUnclaimed(root_);
        Hdf5NodeBuilder::addAttributeValues(*model_.root, root_);

        model_.format = "keras-h5";
        model_.formatDetail = describe(fullModel, hasLayerNames, *weights);
        if (!hasLayerNames)
            model_.warnings.push_back(
                "no layer_names attribute: this HDF5 file does not look like a Keras model; "
                "showing its datasets as they are");
    }

  private:
    std::string kerasJsonAttribute(const std::string& name) const {
        const h5::Attribute* a = root_.attribute(name);
        return a && a->kind == h5::Attribute::Kind::String && a->scalar ? a->items.front()
                                                                        : std::string();
    }

    std::string describe(bool fullModel, bool hasLayerNames, const h5::Object& weights) const {
        std::string version = scalarString(root_, "keras_version");
        if (version.empty()) version = scalarString(weights, "keras_version");
        std::string backend = scalarString(root_, "backend");
        if (backend.empty()) backend = scalarString(weights, "backend");
        std::string text =
            version.empty() ? (hasLayerNames ? "Keras 1.x" : "HDF5") : "Keras " + version;
        if (fullModel) {
            text += version.rfind("3.", 0) == 0 ? " legacy HDF5 full model" : " full model";
            if (!root_.attribute("model_config")) text += " (no model_config)";
        } else if (hasLayerNames) {
            text += " weights only (save_weights";
            text +=
                version.empty() && backend.empty() ? "; no version or backend attributes)" : ")";
        }
        if (!backend.empty()) text += ", backend " + backend;
        return text;
    }

    void addLayer(Node& parent, const h5::Object& weights, const std::string& layerName) {
        const h5::Object* group = weights.child(layerName);
        auto layer = std::make_unique<Node>(NodeKind::Layer, layerName);
        layer->path = weights.path.empty() ? layerName : weights.path + "/" + layerName;
        const json* entry = config_.is_object() ? keras::findLayer(config_, layerName) : nullptr;
        if (entry) keras::describeLayer(*layer, *entry);
        if (!group || group->kind != h5::Object::Kind::Group) {
            model_.warnings.push_back("layer '" + layerName +
                                      "' is listed in layer_names but has no group in the file");
            parent.addChild(std::move(layer));
            return;
        }
        Hdf5NodeBuilder::copyAttributes(*layer, *group);
        Node& node = *parent.addChild(std::move(layer));
        builder_.registerGroup(group->path, node);

        for (const auto& weightName : kerasStringList(*group, "weight_names")) {
            const h5::Object* dataset = group->find(weightName);
            if (!dataset || dataset->kind == h5::Object::Kind::Group) {
                model_.warnings.push_back("layer '" + layerName + "': weight '" + weightName +
                                          "' listed in weight_names is missing from the file");
                continue;
            }
            if (builder_.used(dataset->path)) continue;
            placeWeight(node, *group, entry, weightName, *dataset);
        }
        // Datasets in the layer's group that weight_names does not mention still belong here.
        addUnlisted(node, *group, *group);
    }

    // Shows a weight under its layer with the redundant prefixes removed: Keras 2 repeats the
    // layer name ("dense/kernel:0"), Keras 3's legacy writer adds the model name
    // ("sequential/dense/kernel"). Weights of a nested model go under a node for the inner
    // layer they belong to ("Conv1/kernel:0" in a Sequential holding MobileNetV2).
    void placeWeight(Node& layer, const h5::Object& group, const json* entry,
                     const std::string& weightName, const h5::Object& dataset) {
        auto parts = splitPath(weightName);
        std::size_t from = 0;
        while (parts.size() - from > 1 && (parts[from] == layer.name || parts[from] == modelName_))
            ++from;
        Node* parent = &layer;
        if (entry && keras::isModelEntry(*entry) && parts.size() - from > 1) {
            if (const json* inner = keras::findLayer(*entry, parts[from])) {
                parent = &innerLayer(layer, group, parts[from], *inner);
                ++from;
            }
        }
        builder_.addObject(*parent, dataset, joinPath(parts, from));
    }

    Node& innerLayer(Node& layer, const h5::Object& group, const std::string& name,
                     const json& entry) {
        if (Node* existing = layer.findChild(name))
            if (existing->kind == NodeKind::Layer) return *existing;
        auto inner = std::make_unique<Node>(NodeKind::Layer, name);
        inner->path = group.path + "/" + name;
        keras::describeLayer(*inner, entry);
        Node& node = *layer.addChild(std::move(inner));
        if (const h5::Object* innerGroup = group.child(name))
            if (innerGroup->kind == h5::Object::Kind::Group)
                builder_.registerGroup(innerGroup->path, node);
        return node;
    }

    void addUnlisted(Node& layer, const h5::Object& group, const h5::Object& object) {
        for (const auto& child : object.children) {
            if (child->kind == h5::Object::Kind::Group) {
                addUnlisted(layer, group, *child);
            } else if (!builder_.used(child->path)) {
                builder_.addObject(layer, *child, child->path.substr(group.path.size() + 1));
            }
        }
    }

    const h5::Object& root_;
    Model& model_;
    Hdf5NodeBuilder builder_;
    json config_;
    std::string modelName_;
};

bool isKerasV3WeightsFile(const h5::Object& root) {
    if (root.attribute("layer_names") || root.attribute("layer_names0") ||
        root.child("model_weights"))
        return false;
    const h5::Object* layers = root.child("layers");
    const h5::Object* optimizer = root.child("optimizer");
    return (layers && layers->kind == h5::Object::Kind::Group) ||
           (optimizer && optimizer->kind == h5::Object::Kind::Group && optimizer->child("vars"));
}

}  // namespace

void readKerasHdf5(const std::string& path, ByteSourcePtr file, Model& model) {
    auto h5file = h5::File::openPath(path, std::move(file));
    model.keepAlive.push_back(h5file);
    auto root = h5::readTree(*h5file);
    if (isKerasV3WeightsFile(*root)) {
        buildKerasV3Tree(h5file, *root, nullptr, model);
        model.format = "keras-weights-h5";
        model.formatDetail = "Keras 3 weights file (.weights.h5, layers/<name>/vars/<i>)";
        return;
    }
    LegacyKerasReader(h5file, *root, model).read();
}

}  // namespace ws
