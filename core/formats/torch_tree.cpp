// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/torch_tree.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

#include "model/error.h"

namespace ws::torchfmt {

using pickle::Kind;
using pickle::Value;

namespace {

// Nesting deeper than this is shown as text instead of more tree levels (and stops cycles).
constexpr int kMaxTreeDepth = 64;

std::string join(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + "/" + name;
}
std::string dotted(const std::string& prefix, const std::string& name) {
    return prefix.empty() ? name : prefix + "." + name;
}

std::string pythonFloat(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    char buf[32];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (std::strtod(buf, nullptr) == d) break;
    }
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

// Scalars as Python prints them; containers and objects as JSON-like text.
std::string valueText(const Value& v) {
    switch (v.kind) {
        case Kind::None:
            return "None";
        case Kind::Bool:
            return v.boolean ? "True" : "False";
        case Kind::Int:
            return std::to_string(v.integer);
        case Kind::BigInt:
            return v.text;
        case Kind::Float:
            return pythonFloat(v.real);
        case Kind::Str:
            return v.text;
        case Kind::Global:
            return v.qualifiedName();
        default:
            return pickle::toDisplayText(v);
    }
}
std::string valueTypeName(const Value& v) {
    switch (v.kind) {
        // Containers are shown as JSON-like text (valueText).
        case Kind::Tuple:
        case Kind::List:
        case Kind::Dict:
        case Kind::Set:
        case Kind::PersistentId:
            return "json";
        default:
            return pickle::kindName(v.kind);
    }
}

std::string keyText(const Value* k) {
    if (!k) return "?";
    if (k->kind == Kind::Str) return k->text;
    if (k->kind == Kind::Int || k->kind == Kind::BigInt || k->kind == Kind::Float ||
        k->kind == Kind::Bool || k->kind == Kind::None)
        return valueText(*k);
    return pickle::toDisplayText(*k, 4, 200);
}

bool isScalar(const Value& v) {
    switch (v.kind) {
        case Kind::None:
        case Kind::Bool:
        case Kind::Int:
        case Kind::BigInt:
        case Kind::Float:
        case Kind::Str:
        case Kind::Global:
            return true;
        default:
            return false;
    }
}

// A tuple/list of scalars (kernel_size=(3, 3)) is still a plain hyper-parameter.
bool isPlainValue(const Value& v) {
    if (isScalar(v)) return true;
    if (v.isSequence() || v.kind == Kind::Set) {
        for (const Value* item : v.items)
            if (!isScalar(*item)) return false;
        return true;
    }
    return false;
}

bool isEmptyContainer(const Value& v) {
    switch (v.kind) {
        case Kind::Tuple:
        case Kind::List:
        case Kind::Set:
            return v.items.empty();
        case Kind::Dict:
            return v.pairs.empty();
        default:
            return false;
    }
}

// Class of an Object; legacy files name a module's class through a ('module', cls, file,
// source) persistent id instead of a global.
void objectClass(const Value& o, std::string& module, std::string& name, std::string* sourceFile) {
    module = o.module;
    name = o.name;
    if (!name.empty() || !o.ref || o.ref->kind != Kind::PersistentId || !o.ref->ref) return;
    const Value& payload = *o.ref->ref;
    if (payload.kind != Kind::Tuple || payload.items.size() < 2) return;
    if (!payload.items[0]->isStr() || payload.items[0]->text != "module") return;
    const Value& cls = *payload.items[1];
    if (cls.kind != Kind::Global) return;
    module = cls.module;
    name = cls.name;
    if (sourceFile && payload.items.size() > 2 && payload.items[2]->isStr())
        *sourceFile = payload.items[2]->text;
}

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool isNnModule(const Value& v) {
    if (v.kind != Kind::Object || !v.state || v.state->kind != Kind::Dict) return false;
    return v.state->get("_modules") || v.state->get("_parameters");
}
bool isScriptObject(const Value& v) {
    return v.kind == Kind::Object && startsWith(v.module, "__torch__") && v.state &&
           v.state->kind == Kind::Dict;
}
bool isModuleLike(const Value& v) { return isNnModule(v) || isScriptObject(v); }

class TreeBuilder {
  public:
    TreeBuilder(const TreeOptions& options, Model& model) : options_(options), model_(model) {}

    void build(const Value& root) {
        Node* top = model_.root.get();
        if (root.kind == Kind::Dict) {
            addDictEntries(top, "", root, 0);
        } else if (isModuleLike(root)) {
            std::string module, name;
            objectClass(root, module, name, nullptr);
            auto layer = std::make_unique<Node>(NodeKind::Layer, name.empty() ? "model" : name);
            layer->path = layer->name;
            Node* node = top->addChild(std::move(layer));
            addModule(node, "", "", root, 0);
        } else {
            addValue(top, isTensorObject(root) ? "tensor" : "value",
                     isTensorObject(root) ? "tensor" : "value", root, 0);
        }
    }

  private:
    void charge() {
        if (++nodes_ > options_.maxNodes)
            throw FormatError("the object graph expands to more than " +
                              std::to_string(options_.maxNodes) +
                              " nodes (containers shared over and over)");
    }

    // ---- tensors -----------------------------------------------------------------------
    // Storages are resolved once per key, so views of one storage share its ByteSource.
    ByteSourcePtr storageBytes(const StorageRef& ref) {
        auto it = storages_.find(ref.key);
        if (it != storages_.end()) return it->second;
        ByteSourcePtr bytes = options_.storageBytes(ref);
        storages_.emplace(ref.key, bytes);
        return bytes;
    }

    void addTensor(Node* parent, const std::string& name, const std::string& path, const Value& v) {
        TensorContext context;
        context.bigEndian = options_.bigEndian;
        context.storageBytes = [this](const StorageRef& ref) { return storageBytes(ref); };
        DecodedTensor d = decodeTensor(v, path, context);
        if (!d.tensor) {
            model_.warnings.push_back("'" + path + "': " + d.unsupported);
            auto node = makeValueNode(name, pickle::toDisplayText(v, 6, 1024), "object");
            node->path = path;
            node->className = v.qualifiedName();
            parent->addChild(std::move(node));
            return;
        }
        auto node = makeTensorNode(name, d.tensor);
        node->path = path;
        node->setAttribute("storage", d.tensor->storageKey);
        if (d.tensor->storageOffset)
            node->setAttribute("storage_offset", std::to_string(d.tensor->storageOffset));
        if (!d.location.empty() && d.location != "cpu") node->setAttribute("location", d.location);
        if (d.parameter) node->setAttribute("parameter", "True");
        if (d.requiresGrad) node->setAttribute("requires_grad", "True");
        parent->addChild(std::move(node));
    }

    // ---- containers ----------------------------------------------------------------------
    void addPlainValue(Node* parent, const std::string& name, const std::string& path,
                       const Value& v) {
        auto node = makeValueNode(name, valueText(v), valueTypeName(v));
        node->path = path;
        if (v.kind == Kind::Object) node->className = v.qualifiedName();
        parent->addChild(std::move(node));
    }

    // A layer node for every dotted prefix of a state-dict key ("lstm" for "lstm.weight_ih_l0").
    Node* layersFor(Node* container, const std::string& containerPath,
                    const std::vector<std::string>& parts) {
        Node* node = container;
        std::string prefix;
        for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
            prefix = dotted(prefix, parts[i]);
            // An index instead of Node::findChild: state dicts with thousands of keys would
            // otherwise make opening quadratic.
            Node*& child = layerIndex_[{node, parts[i]}];
            if (!child) {
                auto layer = std::make_unique<Node>(NodeKind::Layer, parts[i]);
                layer->path = join(containerPath, prefix);
                child = node->addChild(std::move(layer));
            } else if (child->kind != NodeKind::Layer && child->kind != NodeKind::Group) {
                return nullptr;
            }
            node = child;
        }
        return node;
    }

    static std::vector<std::string> splitDots(const std::string& key) {
        std::vector<std::string> parts;
        std::size_t start = 0;
        for (;;) {
            std::size_t dot = key.find('.', start);
            parts.push_back(key.substr(start, dot == std::string::npos ? dot : dot - start));
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        for (const auto& p : parts)
            if (p.empty()) return {key};
        return parts;
    }

    void addDictEntries(Node* node, const std::string& path, const Value& dict, int depth) {
        for (const auto& kv : dict.pairs) {
            std::string key = keyText(kv.first);
            const Value& v = *kv.second;
            if (isTensorObject(v) || isModuleLike(v)) {
                auto parts = splitDots(key);
                Node* parent = parts.size() > 1 ? layersFor(node, path, parts) : node;
                if (parent) {
                    addValue(parent, parts.back(), join(path, key), v, depth + 1);
                    continue;
                }
            }
            addValue(node, key, join(path, key), v, depth + 1);
        }
        if (dict.state) applyStateDictMetadata(node, path, *dict.state);
    }

    // state_dict()'s OrderedDict carries _metadata = {module: {"version": n}}: the versions
    // become attributes of the layer nodes (modules without tensors get a node of their own).
    void applyStateDictMetadata(Node* node, const std::string& path, const Value& state) {
        if (state.kind != Kind::Dict) return;
        for (const auto& kv : state.pairs) {
            std::string key = keyText(kv.first);
            const Value& v = *kv.second;
            if (key != "_metadata" || v.kind != Kind::Dict) {
                addValue(node, key, join(path, key), v, kMaxTreeDepth);
                continue;
            }
            for (const auto& entry : v.pairs) {
                std::string module = keyText(entry.first);
                Node* target = node;
                if (!module.empty()) {
                    auto parts = splitDots(module);
                    parts.push_back("");  // layersFor creates all but the last part
                    target = layersFor(node, path, parts);
                    if (!target) continue;
                }
                if (entry.second->kind != Kind::Dict) continue;
                for (const auto& fact : entry.second->pairs)
                    target->setAttribute(keyText(fact.first), valueText(*fact.second));
            }
        }
    }

    bool holdsTensorsOrModules(const Value& seq) {
        for (const Value* item : seq.items)
            if (isTensorObject(*item) || isModuleLike(*item) || item->kind == Kind::Dict) {
                if (item->kind != Kind::Dict) return true;
                for (const auto& kv : item->pairs)
                    if (isTensorObject(*kv.second) || isModuleLike(*kv.second)) return true;
            }
        return false;
    }

    void addValue(Node* parent, const std::string& name, const std::string& path, const Value& v,
                  int depth) {
        charge();
        if (depth > kMaxTreeDepth) {
            addPlainValue(parent, name, path, v);
            return;
        }
        if (isTensorObject(v)) {
            addTensor(parent, name, path, v);
        } else if (v.kind == Kind::Dict) {
            auto group = std::make_unique<Node>(NodeKind::Group, name);
            group->path = path;
            Node* node = parent->addChild(std::move(group));
            addDictEntries(node, path, v, depth);
        } else if (isModuleLike(v)) {
            auto layer = std::make_unique<Node>(NodeKind::Layer, name);
            layer->path = path;
            Node* node = parent->addChild(std::move(layer));
            addModule(node, path, "", v, depth);
        } else if (v.isSequence() && holdsTensorsOrModules(v)) {
            auto group = std::make_unique<Node>(NodeKind::Group, name);
            group->path = path;
            Node* node = parent->addChild(std::move(group));
            for (std::size_t i = 0; i < v.items.size(); ++i)
                addValue(node, std::to_string(i), join(path, std::to_string(i)), *v.items[i],
                         depth + 1);
        } else {
            addPlainValue(parent, name, path, v);
        }
    }

    // ---- modules -------------------------------------------------------------------------
    // Contents of an nn.Module or TorchScript object. Its tensors get the dotted names its
    // state_dict would use, below `containerPath` ("" at top level, a checkpoint key otherwise).
    void addModule(Node* layer, const std::string& containerPath, const std::string& prefix,
                   const Value& obj, int depth) {
        std::string module, name, sourceFile;
        objectClass(obj, module, name, &sourceFile);
        layer->className = name;
        layer->setAttribute("class", module.empty() ? name : module + "." + name);
        if (!sourceFile.empty()) layer->setAttribute("source_file", sourceFile);
        if (depth > kMaxTreeDepth) return;
        const bool script = isScriptObject(obj) && !isNnModule(obj);
        for (const auto& kv : obj.state->pairs) {
            std::string key = keyText(kv.first);
            const Value& v = *kv.second;
            const std::string childPrefix = dotted(prefix, key);
            const std::string childPath = join(containerPath, childPrefix);
            if (!script && (key == "_parameters" || key == "_buffers") && v.kind == Kind::Dict) {
                for (const auto& p : v.pairs) {
                    std::string pname = keyText(p.first);
                    addValue(layer, pname, join(containerPath, dotted(prefix, pname)), *p.second,
                             depth + 1);
                }
            } else if (!script && key == "_modules" && v.kind == Kind::Dict) {
                for (const auto& m : v.pairs) {
                    std::string mname = keyText(m.first);
                    addSubmodule(layer, containerPath, dotted(prefix, mname), mname, *m.second,
                                 depth);
                }
            } else if (script && (isTensorObject(v) || isModuleLike(v))) {
                addSubmodule(layer, containerPath, childPrefix, key, v, depth);
            } else if (key == "_flat_weights") {
                // An RNN's list of the same Parameters _parameters holds: not a second copy.
            } else if (isPlainValue(v) || (v.kind == Kind::Object && !isModuleLike(v) &&
                                           !isTensorObject(v) && startsWith(key, "_"))) {
                if (startsWith(key, "_") && (v.kind == Kind::None || isEmptyContainer(v)))
                    continue;  // unset hooks and caches
                layer->setAttribute(key, valueText(v));
            } else if (startsWith(key, "_") && isEmptyContainer(v)) {
                // Empty hook dictionaries (_forward_hooks, ...).
            } else {
                addValue(layer, key, childPath, v, depth + 1);
            }
        }
    }

    void addSubmodule(Node* layer, const std::string& containerPath, const std::string& prefix,
                      const std::string& name, const Value& v, int depth) {
        charge();
        if (isModuleLike(v) && depth < kMaxTreeDepth) {
            auto child = std::make_unique<Node>(NodeKind::Layer, name);
            child->path = join(containerPath, prefix);
            Node* node = layer->addChild(std::move(child));
            addModule(node, containerPath, prefix, v, depth + 1);
        } else {
            addValue(layer, name, join(containerPath, prefix), v, depth + 1);
        }
    }

    const TreeOptions& options_;
    Model& model_;
    std::map<std::string, ByteSourcePtr> storages_;
    std::map<std::pair<const Node*, std::string>, Node*> layerIndex_;
    std::size_t nodes_ = 0;
};

}  // namespace

void buildTorchTree(const Value& root, const TreeOptions& options, Model& model) {
    TreeBuilder(options, model).build(root);
}

}  // namespace ws::torchfmt
