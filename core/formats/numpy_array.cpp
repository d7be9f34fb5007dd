// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/numpy_array.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "io/byte_source.h"
#include "model/error.h"

namespace ws::torchfmt {

using pickle::Kind;
using pickle::Value;

namespace {

bool isNumpyModule(const std::string& module, const char* rest) {
    return module == std::string("numpy.core.") + rest ||
           module == std::string("numpy._core.") + rest;
}

// The element type of a numpy.dtype object: its first argument is the type string ("f4",
// "i8", "b1"); the BUILD state's second item the byte order ('<', '>', '|', '=').
bool elementType(const Value& dtype, DType& out, bool& bigEndian, std::string& why) {
    if (dtype.kind != Kind::Object || dtype.qualifiedName() != "numpy.dtype" || !dtype.args ||
        dtype.args->items.empty() || !dtype.args->items[0]->isStr()) {
        why = "its dtype is not a numpy.dtype";
        return false;
    }
    const std::string& code = dtype.args->items[0]->text;
    static const std::pair<const char*, DType> kCodes[] = {
        {"f2", DType::F16}, {"f4", DType::F32}, {"f8", DType::F64},
        {"i1", DType::I8},  {"i2", DType::I16}, {"i4", DType::I32},
        {"i8", DType::I64}, {"u1", DType::U8},  {"b1", DType::Bool},
    };
    bool known = false;
    for (const auto& [name, type] : kCodes)
        if (code == name) {
            out = type;
            known = true;
        }
    if (!known) {
        why = "NumPy dtype '" + code + "' is not supported";
        return false;
    }
    bigEndian = false;
    const Value* state = dtype.state;
    if (state && state->isSequence() && state->items.size() > 1 && state->items[1]->isStr())
        bigEndian = state->items[1]->text == ">";
    return true;
}

}  // namespace

bool isNumpyArray(const Value& v) {
    if (v.kind != Kind::Object || v.name != "_reconstruct" ||
        !isNumpyModule(v.module, "multiarray"))
        return false;
    return v.args && !v.args->items.empty() && v.args->items[0]->kind == Kind::Global &&
           v.args->items[0]->qualifiedName() == "numpy.ndarray";
}

DecodedArray decodeNumpyArray(const Value& v, const std::string& storageKey) {
    DecodedArray out;
    // state = (version, shape, dtype, is_fortran, data)
    const Value* state = v.state;
    if (!state || !state->isSequence() || state->items.size() != 5) {
        out.unsupported = "a NumPy array without the (version, shape, dtype, order, data) state";
        return out;
    }
    const Value& shape = *state->items[1];
    const Value& order = *state->items[3];
    const Value& data = *state->items[4];
    auto tensor = std::make_shared<Tensor>();
    if (!elementType(*state->items[2], tensor->dtype, tensor->bigEndian, out.unsupported))
        return out;
    if (!shape.isSequence()) {
        out.unsupported = "a NumPy array whose shape is not a tuple";
        return out;
    }
    for (const Value* d : shape.items) {
        if (d->kind != Kind::Int || d->integer < 0) {
            out.unsupported = "a NumPy array with a dimension that is not a size";
            return out;
        }
        tensor->shape.push_back(d->integer);
    }
    if (data.kind != Kind::Bytes) {
        out.unsupported = "a NumPy array whose data is not raw bytes (object array?)";
        return out;
    }
    if (order.kind == Kind::Bool && order.boolean) {
        // Fortran order: the first axis is the fastest.
        std::int64_t stride = 1;
        tensor->strides.resize(tensor->shape.size());
        for (std::size_t i = 0; i < tensor->shape.size(); ++i) {
            tensor->strides[i] = stride;
            stride *= std::max<std::int64_t>(tensor->shape[i], 1);
        }
    }
    tensor->storage = std::make_shared<MemoryByteSource>(
        std::vector<std::uint8_t>(data.text.begin(), data.text.end()));
    tensor->storageKey = storageKey;
    try {
        tensor->validate();  // the bytes must cover the shape
    } catch (const Error& e) {
        out.unsupported =
            std::string("a NumPy array whose bytes do not fit its shape: ") + e.what();
        return out;
    }
    out.tensor = std::move(tensor);
    return out;
}

}  // namespace ws::torchfmt
