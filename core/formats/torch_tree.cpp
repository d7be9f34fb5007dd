#include "formats/torch_tree.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>
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
        case Kind::None:
            return "None";
        case Kind::Bool:
            return "bool";
        case Kind::Int:
        case Kind::BigInt:
            return "int";
        case Kind::Float:
            return "float";
        case Kind::Str:
            return "str";
        case Kind::Global:
            return "global";
        case Kind::Bytes:
            return "bytes";
        case Kind::Object:
            return "object";
        default:
            return "json";
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

const Value* arg(const Value& call, std::size_t i) {
    if (!call.args || !call.args->isSequence() || i >= call.args->items.size()) return nullptr;
    return call.args->items[i];
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

bool isTensorCall(const std::string& q) {
    return startsWith(q, "torch._utils._rebuild_") || q == "torch.nn.parameter.Parameter" ||
           startsWith(q, "torch._tensor._rebuild_from_type") ||
           q == "torch.storage._load_from_bytes";
}
bool isTensorObject(const Value& v) {
    return v.kind == Kind::Object && isTensorCall(v.qualifiedName());
}

struct StorageUse {
    StorageRef ref;
    std::int64_t viewOffset = 0;  // legacy storage views: elements into the root storage
};

bool intValue(const Value* v, std::int64_t& out) {
    if (!v || v->kind != Kind::Int) return false;
    out = v->integer;
    return true;
}

// ('storage', FloatStorage|float32, key, location, numel[, view_metadata])
bool parseStorage(const Value& pid, StorageUse& use) {
    if (pid.kind != Kind::PersistentId || !pid.ref) return false;
    const Value& p = *pid.ref;
    if (p.kind != Kind::Tuple || p.items.size() < 5 || !p.items[0]->isStr() ||
        p.items[0]->text != "storage")
        return false;
    const Value& cls = *p.items[1];
    if (cls.kind != Kind::Global || !dtypeFromTorchName(cls.name, use.ref.dtype))
        throw FormatError("storage has an unsupported element type " +
                          pickle::toDisplayText(cls, 2, 100));
    const Value& key = *p.items[2];
    if (key.isStr())
        use.ref.key = key.text;
    else if (key.kind == Kind::Int)
        use.ref.key = std::to_string(key.integer);
    else
        throw FormatError("storage key is not a string");
    use.ref.location = p.items[3]->isStr() ? p.items[3]->text : "cpu";
    std::int64_t numel = 0;
    if (!intValue(p.items[4], numel) || numel < 0)
        throw FormatError("storage '" + use.ref.key + "' has an invalid element count");
    use.ref.numel = std::uint64_t(numel);
    if (p.items.size() > 5 && p.items[5]->kind == Kind::Tuple) {
        // Legacy view of a larger storage: (view_key, offset, view_size) in elements.
        const Value& view = *p.items[5];
        std::int64_t offset = 0;
        if (view.items.size() < 3 || !intValue(view.items[1], offset) || offset < 0)
            throw FormatError("storage '" + use.ref.key + "' has malformed view metadata");
        use.viewOffset = offset;
    }
    return true;
}

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
    ByteSourcePtr storageBytes(const StorageRef& ref) {
        auto it = storages_.find(ref.key);
        if (it != storages_.end()) return it->second;
        ByteSourcePtr bytes = options_.storageBytes(ref);
        storages_.emplace(ref.key, bytes);
        return bytes;
    }

    static std::vector<std::int64_t> intTuple(const Value* v, const char* what,
                                              const std::string& path) {
        if (!v || !(v->isSequence()))
            throw FormatError("tensor '" + path + "': " + what + " is not a tuple");
        std::vector<std::int64_t> out;
        for (const Value* item : v->items) {
            if (item->kind != Kind::Int)
                throw FormatError("tensor '" + path + "': " + what + " holds a non-integer");
            out.push_back(item->integer);
        }
        return out;
    }

    struct Decoded {
        TensorPtr tensor;
        bool parameter = false;
        bool requiresGrad = false;
        std::string location;
        std::string unsupported;  // why it is not read, when it is a tensor kind we skip
    };

    // Interprets a call of a torch rebuild function; depth guards nested Parameter wrappers.
    Decoded decodeCall(const std::string& q, const Value& call, const std::string& path,
                       int depth) {
        Decoded d;
        if (depth > 8) throw FormatError("tensor '" + path + "' is wrapped too deeply");
        if (q == "torch._utils._rebuild_tensor_v2" || q == "torch._utils._rebuild_tensor" ||
            q == "torch._utils._rebuild_tensor_v3") {
            const Value* storage = arg(call, 0);
            StorageUse use;
            if (!storage || !parseStorage(*storage, use))
                throw FormatError("tensor '" + path + "': its storage is not a storage reference");
            auto t = std::make_shared<Tensor>();
            t->dtype = use.ref.dtype;
            if (q == "torch._utils._rebuild_tensor_v3") {
                const Value* dt = arg(call, 6);
                if (dt && dt->kind == Kind::Global && !dtypeFromTorchName(dt->name, t->dtype))
                    throw FormatError("tensor '" + path + "' has unsupported dtype " + dt->name);
            }
            std::int64_t offset = 0;
            if (!intValue(arg(call, 1), offset))
                throw FormatError("tensor '" + path + "': storage offset is not an integer");
            t->storageOffset = offset + use.viewOffset;
            t->shape = intTuple(arg(call, 2), "size", path);
            t->strides = intTuple(arg(call, 3), "stride", path);
            t->storageKey = use.ref.key;
            t->bigEndian = options_.bigEndian;
            t->storage = storageBytes(use.ref);
            try {
                t->validate();
            } catch (const FormatError& e) {
                throw FormatError("tensor '" + path + "': " + e.what());
            }
            const Value* rg = arg(call, 4);
            d.requiresGrad = rg && rg->kind == Kind::Bool && rg->boolean;
            d.location = use.ref.location;
            d.tensor = std::move(t);
            return d;
        }
        if (q == "torch._utils._rebuild_parameter" ||
            q == "torch._utils._rebuild_parameter_with_state" ||
            q == "torch.nn.parameter.Parameter") {
            const Value* data = arg(call, 0);
            if (!data || !isTensorObject(*data))
                throw FormatError("parameter '" + path + "' does not wrap a tensor");
            d = decodeCall(data->qualifiedName(), *data, path, depth + 1);
            const Value* rg = arg(call, 1);
            if (rg && rg->kind == Kind::Bool) d.requiresGrad = rg->boolean;
            d.parameter = true;
            return d;
        }
        if (q == "torch._tensor._rebuild_from_type_v2" || q == "torch._tensor._rebuild_from_type") {
            // (func, type, args[, state]): a tensor subclass rebuilt by func(*args).
            const Value* func = arg(call, 0);
            const Value* args = arg(call, 2);
            if (func && func->kind == Kind::Global && args && args->kind == Kind::Tuple) {
                Value inner;
                inner.kind = Kind::Object;
                inner.module = func->module;
                inner.name = func->name;
                inner.args = args;
                return decodeCall(func->qualifiedName(), inner, path, depth + 1);
            }
            throw FormatError("tensor '" + path + "': malformed _rebuild_from_type call");
        }
        if (q == "torch.storage._load_from_bytes")
            d.unsupported =
                "a storage pickled by a nested torch.save (torch.storage._load_from_bytes) "
                "is not loaded: reading it would mean running a second torch.load";
        else
            d.unsupported =
                "tensor kind " + q + " (quantized/sparse/meta/subclass) is not supported";
        return d;
    }

    void addTensor(Node* parent, const std::string& name, const std::string& path, const Value& v) {
        Decoded d = decodeCall(v.qualifiedName(), v, path, 0);
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
            if (!child) child = node->findChild(parts[i]);
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

bool dtypeFromTorchName(const std::string& name, DType& out) {
    static const std::map<std::string, DType> names = {
        {"HalfStorage", DType::F16},  {"BFloat16Storage", DType::BF16},
        {"FloatStorage", DType::F32}, {"DoubleStorage", DType::F64},
        {"CharStorage", DType::I8},   {"ShortStorage", DType::I16},
        {"IntStorage", DType::I32},   {"LongStorage", DType::I64},
        {"ByteStorage", DType::U8},   {"BoolStorage", DType::Bool},
        {"float16", DType::F16},      {"half", DType::F16},
        {"bfloat16", DType::BF16},    {"float32", DType::F32},
        {"float", DType::F32},        {"float64", DType::F64},
        {"double", DType::F64},       {"int8", DType::I8},
        {"int16", DType::I16},        {"short", DType::I16},
        {"int32", DType::I32},        {"int", DType::I32},
        {"int64", DType::I64},        {"long", DType::I64},
        {"uint8", DType::U8},         {"bool", DType::Bool},
    };
    auto it = names.find(name);
    if (it == names.end()) return false;
    out = it->second;
    return true;
}

std::map<std::string, StorageRef> collectStorages(const Value& root) {
    std::map<std::string, StorageRef> out;
    std::unordered_set<const Value*> seen;
    std::vector<const Value*> todo{&root};
    while (!todo.empty()) {
        const Value* v = todo.back();
        todo.pop_back();
        if (!v || !seen.insert(v).second) continue;
        StorageUse use;
        if (v->kind == Kind::PersistentId && parseStorage(*v, use)) {
            auto it = out.find(use.ref.key);
            if (it == out.end()) {
                out.emplace(use.ref.key, use.ref);
            } else if (it->second.dtype != use.ref.dtype) {
                throw FormatError("storage '" + use.ref.key + "' is used as both " +
                                  dtypeName(it->second.dtype) + " and " + dtypeName(use.ref.dtype));
            } else if (use.ref.numel > it->second.numel) {
                it->second.numel = use.ref.numel;
            }
            continue;
        }
        for (const Value* item : v->items) todo.push_back(item);
        for (const auto& kv : v->pairs) {
            todo.push_back(kv.first);
            todo.push_back(kv.second);
        }
        todo.push_back(v->ref);
        todo.push_back(v->args);
        todo.push_back(v->state);
    }
    return out;
}

void buildTorchTree(const Value& root, const TreeOptions& options, Model& model) {
    TreeBuilder(options, model).build(root);
}

}  // namespace ws::torchfmt
