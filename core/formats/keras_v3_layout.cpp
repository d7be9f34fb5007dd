// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/keras_v3_layout.h"

#include <algorithm>
#include <deque>
#include <map>

#include "formats/hdf5_node_builder.h"
#include "formats/keras_config.h"
#include "formats/keras_variable_names.h"

namespace ws {

using nlohmann::json;

namespace {

bool isGroup(const h5::Object* object) { return object && object->kind == h5::Object::Kind::Group; }

// "12" -> 12; anything that is not a plain decimal index -> -1.
long long varIndex(const std::string& name) {
    if (name.empty() || name.size() > 9) return -1;
    long long v = 0;
    for (char c : name) {
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

class V3TreeBuilder {
  public:
    V3TreeBuilder(const std::shared_ptr<h5::File>& file, const h5::Object& root, const json* config,
                  Model& model)
        : root_(root), config_(config), model_(model), builder_(file, root, *model.root) {}

    void build() {
        std::vector<const json*> entries;
        if (config_) entries = keras::modelLayers(*config_);
        if (const h5::Object* layers = root_.child("layers"); isGroup(layers)) {
            builder_.registerGroup(layers->path, *model_.root);
            mapLayers(*layers, entries, *model_.root);
        }
        if (const h5::Object* optimizer = root_.child("optimizer"); isGroup(optimizer))
            addOptimizer(*optimizer);
        builder_.addUnclaimed(root_);
        Hdf5NodeBuilder::addAttributeValues(*model_.root, root_);
    }

  private:
    // Keras 3 saves the layers of a model under names derived from their classes, numbered
    // per class in creation order (saving_lib's _walk_saveable); newer versions also store
    // the layer's own name in vars@name. Both are used to find the config entry.
    void mapLayers(const h5::Object& layersGroup, const std::vector<const json*>& entries,
                   Node& parent) {
        std::map<std::string, const json*> byKey, byName;
        std::map<const json*, std::size_t> position;
        std::map<std::string, int> perClass;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const std::string snake = keras::snakeCase(keras::layerClass(*entries[i]));
            const int n = perClass[snake]++;
            byKey.emplace(n ? snake + "_" + std::to_string(n) : snake, entries[i]);
            byName.emplace(keras::layerName(*entries[i]), entries[i]);
            position[entries[i]] = i;
        }
        struct Resolved {
            const h5::Object* group;
            const json* entry;
            std::string displayName;
        };
        std::vector<Resolved> layers;
        for (const auto& child : layersGroup.children) {
            if (!isGroup(child.get())) continue;
            std::string savedName;
            if (const h5::Object* vars = child->child("vars"))
                if (const h5::Attribute* name = vars->attribute("name"))
                    if (name->kind == h5::Attribute::Kind::String && name->scalar)
                        savedName = name->items.front();
            const json* entry = nullptr;
            if (!savedName.empty() && byName.count(savedName))
                entry = byName[savedName];
            else if (byKey.count(child->name))
                entry = byKey[child->name];
            std::string display = entry ? keras::layerName(*entry) : savedName;
            if (!entry) entry = guessedEntry(child->name);
            if (display.empty()) display = child->name;
            layers.push_back({child.get(), entry, display});
        }
        // Show layers in the model's order (the config's), unknown ones after them.
        std::stable_sort(layers.begin(), layers.end(), [&](const Resolved& a, const Resolved& b) {
            std::size_t pa = a.entry ? position[a.entry] : entries.size();
            std::size_t pb = b.entry ? position[b.entry] : entries.size();
            return pa < pb;
        });
        for (const Resolved& layer : layers) {
            std::string name = layer.displayName;
            if (parent.findChild(name)) name = layer.group->name;
            auto node = std::make_unique<Node>(NodeKind::Layer, name);
            node->path = layer.group->path;
            if (layer.entry && !isGuess(layer.entry)) keras::describeLayer(*node, *layer.entry);
            Node& added = *parent.addChild(std::move(node));
            builder_.registerGroup(layer.group->path, added);
            addContents(*layer.group, layer.entry, added, isGuess(layer.entry));
        }
    }

    void addContents(const h5::Object& group, const json* entry, Node& node, bool guessed) {
        Hdf5NodeBuilder::copyAttributes(node, group);
        for (const auto& child : group.children) {
            if (child->name == "vars" && isGroup(child.get())) {
                addVars(*child, entry, node);
            } else if (child->name == "layers" && isGroup(child.get()) && entry &&
                       keras::isModelEntry(*entry)) {
                builder_.registerGroup(child->path, node);
                mapLayers(*child, keras::modelLayers(*entry), node);
            } else if (isGroup(child.get())) {
                auto sub = std::make_unique<Node>(NodeKind::Group, child->name);
                sub->path = child->path;
                const json* subEntry = entry ? subObjectEntry(*entry, child->name) : nullptr;
                if (subEntry && !guessed) sub->className = keras::layerClass(*subEntry);
                Node& added = *node.addChild(std::move(sub));
                builder_.registerGroup(child->path, added);
                addContents(*child, subEntry, added, guessed);
            } else {
                builder_.addObject(node, *child, child->name);
            }
        }
    }

    // Without a config (a bare .weights.h5) the group name still tells the class of the common
    // built-in layers ("dense_3" -> Dense), enough to name their variables. Such guesses only
    // name variables; they never set a node's class.
    const json* guessedEntry(const std::string& key) {
        static const std::map<std::string, std::string> known = {
            {"dense", "Dense"},
            {"conv1d", "Conv1D"},
            {"conv2d", "Conv2D"},
            {"conv3d", "Conv3D"},
            {"embedding", "Embedding"},
            {"batch_normalization", "BatchNormalization"},
            {"layer_normalization", "LayerNormalization"},
            {"depthwise_conv2d", "DepthwiseConv2D"},
            {"separable_conv2d", "SeparableConv2D"},
            {"lstm", "LSTM"},
            {"gru", "GRU"},
            {"simple_rnn", "SimpleRNN"}};
        std::string base = key;
        const std::size_t underscore = base.rfind('_');
        if (underscore != std::string::npos && varIndex(base.substr(underscore + 1)) >= 0)
            base = base.substr(0, underscore);
        auto it = known.find(base);
        if (it == known.end()) return nullptr;
        synthesized_.push_back({{"class_name", it->second}, {"config", json::object()}});
        guesses_.push_back(&synthesized_.back());
        return &synthesized_.back();
    }
    bool isGuess(const json* entry) const {
        return std::find(guesses_.begin(), guesses_.end(), entry) != guesses_.end();
    }

    // The config of an object a layer tracks under `attribute`: an RNN's cell, a
    // Bidirectional's forward/backward layers, a wrapper's inner layer.
    const json* subObjectEntry(const json& entry, const std::string& attribute) {
        auto config = entry.find("config");
        if (config == entry.end() || !config->is_object()) return nullptr;
        auto field = [&](const char* key) -> const json* {
            auto it = config->find(key);
            return it != config->end() && it->is_object() ? &*it : nullptr;
        };
        if (attribute == "cell") {
            if (const json* cell = field("cell")) return cell;
            // LSTM/GRU/SimpleRNN configs do not spell out their cell: it is <Class>Cell with
            // the layer's own settings (use_bias, ...).
            synthesized_.push_back(
                {{"class_name", keras::layerClass(entry) + "Cell"}, {"config", *config}});
            return &synthesized_.back();
        }
        if (attribute == "forward_layer" || attribute == "backward_layer") {
            if (const json* layer = field(attribute.c_str())) return layer;
            return field("layer");
        }
        if (attribute == "layer") return field("layer");
        return nullptr;
    }

    void addVars(const h5::Object& vars, const json* entry, Node& node) {
        builder_.registerGroup(vars.path, node);
        for (const auto& attribute : vars.attributes)
            node.setAttribute("vars@" + attribute.name, attribute.text());
        std::vector<std::pair<long long, const h5::Object*>> indexed;
        for (const auto& child : vars.children)
            if (child->kind == h5::Object::Kind::Dataset && varIndex(child->name) >= 0)
                indexed.emplace_back(varIndex(child->name), child.get());
        std::sort(indexed.begin(), indexed.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<std::string> names =
            entry ? keras::variableNames(*entry) : std::vector<std::string>{};
        bool friendly = names.size() == indexed.size();
        for (std::size_t i = 0; friendly && i < indexed.size(); ++i)
            friendly = indexed[i].first == (long long)i;
        for (std::size_t i = 0; i < indexed.size(); ++i)
            builder_.addObject(node, *indexed[i].second,
                               friendly ? names[i] : "vars/" + indexed[i].second->name);
        // Anything else in vars/ (non-numeric names, subgroups) is placed by addUnclaimed.
    }

    void addOptimizer(const h5::Object& optimizer) {
        auto node = std::make_unique<Node>(NodeKind::Group, "optimizer");
        node->path = optimizer.path;
        if (config_ && config_->is_object()) {
            auto compile = config_->find("compile_config");
            if (compile != config_->end() && compile->is_object()) {
                auto opt = compile->find("optimizer");
                if (opt != compile->end() && opt->is_object()) keras::describeLayer(*node, *opt);
            }
        }
        Node& added = *model_.root->addChild(std::move(node));
        builder_.registerGroup(optimizer.path, added);
        Hdf5NodeBuilder::copyAttributes(added, optimizer);
        if (const h5::Object* vars = optimizer.child("vars"); isGroup(vars))
            addVars(*vars, nullptr, added);
    }

    const h5::Object& root_;
    const json* config_;
    Model& model_;
    Hdf5NodeBuilder builder_;
    std::deque<json> synthesized_;  // stable addresses for entries made up on the way
    std::vector<const json*> guesses_;
};

}  // namespace

void buildKerasV3Tree(const std::shared_ptr<h5::File>& file, const h5::Object& root,
                      const json* modelConfig, Model& model) {
    V3TreeBuilder(file, root, modelConfig, model).build();
}

}  // namespace ws
