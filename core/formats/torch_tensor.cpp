// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/torch_tensor.h"

#include <unordered_set>
#include <vector>

#include "model/error.h"
#include "pickle/pickle_writer.h"

namespace ws::torchfmt {

using pickle::Kind;
using pickle::Value;

namespace {

const char* kNestedLoad =
    "a storage pickled by a nested torch.save (torch.storage._load_from_bytes) is not "
    "loaded: reading it would mean running a second torch.load";

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

const Value* arg(const Value& call, std::size_t i) {
    if (!call.args || !call.args->isSequence() || i >= call.args->items.size()) return nullptr;
    return call.args->items[i];
}

bool isTensorCall(const std::string& q) {
    return startsWith(q, "torch._utils._rebuild_") || q == "torch.nn.parameter.Parameter" ||
           startsWith(q, "torch._tensor._rebuild_from_type") ||
           q == "torch.storage._load_from_bytes";
}
bool intValue(const Value* v, std::int64_t& out) {
    if (!v || v->kind != Kind::Int) return false;
    out = v->integer;
    return true;
}

std::vector<std::int64_t> intTuple(const Value* v, const char* what, const std::string& path) {
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

// Interprets a call of a torch rebuild function; depth guards nested Parameter wrappers.
DecodedTensor decodeCall(const std::string& q, const Value& call, const std::string& path,
                         const TensorContext& context, int depth) {
    DecodedTensor d;
    if (depth > 8) throw FormatError("tensor '" + path + "' is wrapped too deeply");
    if (q == "torch._utils._rebuild_tensor_v2" || q == "torch._utils._rebuild_tensor" ||
        q == "torch._utils._rebuild_tensor_v3") {
        const Value* storage = arg(call, 0);
        if (storage && storage->kind == Kind::Object &&
            storage->qualifiedName() == "torch.storage._load_from_bytes") {
            // A tensor pickled with plain pickle.dumps: its storage is a whole nested
            // torch.save blob. Decoding it would be a second torch.load; it is refused.
            d.unsupported = kNestedLoad;
            return d;
        }
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
        t->bigEndian = context.bigEndian;
        t->storage = context.storageBytes(use.ref);
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
        q == "torch._utils._rebuild_parameter_with_state" || q == "torch.nn.parameter.Parameter") {
        const Value* data = arg(call, 0);
        if (!data || !isTensorObject(*data))
            throw FormatError("parameter '" + path + "' does not wrap a tensor");
        d = decodeCall(data->qualifiedName(), *data, path, context, depth + 1);
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
            return decodeCall(func->qualifiedName(), inner, path, context, depth + 1);
        }
        throw FormatError("tensor '" + path + "': malformed _rebuild_from_type call");
    }
    if (q == "torch.storage._load_from_bytes")
        d.unsupported = kNestedLoad;
    else
        d.unsupported = "tensor kind " + q + " (quantized/sparse/meta/subclass) is not supported";
    return d;
}

}  // namespace

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

bool isTensorObject(const Value& v) {
    return v.kind == Kind::Object && isTensorCall(v.qualifiedName());
}

DecodedTensor decodeTensor(const Value& call, const std::string& path,
                           const TensorContext& context) {
    return decodeCall(call.qualifiedName(), call, path, context, 0);
}

bool dtypeFromTorchName(const std::string& name, DType& out) {
    static const std::map<std::string, DType> names = [] {
        // The dtype globals (torch.float32 and its aliases) name each of the ten types ...
        std::map<std::string, DType> m = {
            {"float16", DType::F16}, {"half", DType::F16},  {"bfloat16", DType::BF16},
            {"float32", DType::F32}, {"float", DType::F32}, {"float64", DType::F64},
            {"double", DType::F64},  {"int8", DType::I8},   {"int16", DType::I16},
            {"short", DType::I16},   {"int32", DType::I32}, {"int", DType::I32},
            {"int64", DType::I64},   {"long", DType::I64},  {"uint8", DType::U8},
            {"bool", DType::Bool},
        };
        // ... and the storage classes are the ones our writer emits, so the two cannot drift.
        std::map<std::string, DType> storages;
        for (const auto& [alias, dtype] : m)
            storages.emplace(pickle::torchStorageClass(dtype), dtype);
        m.insert(storages.begin(), storages.end());
        return m;
    }();
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

}  // namespace ws::torchfmt
