// SPDX-License-Identifier: GPL-3.0-or-later
#include "pickle/pickle_writer.h"

#include "model/tensor.h"

namespace ws::pickle {

namespace {

class Emitter {
  public:
    std::vector<std::uint8_t> bytes;

    void op(char c) { bytes.push_back(std::uint8_t(c)); }
    void raw(const std::string& s) { bytes.insert(bytes.end(), s.begin(), s.end()); }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) bytes.push_back(std::uint8_t(v >> (8 * i)));
    }
    void global(const std::string& module, const std::string& name) {
        op('c');  // GLOBAL
        raw(module + "\n" + name + "\n");
    }
    void text(const std::string& s) {
        op('X');  // BINUNICODE: 4-byte length, UTF-8 (paths are UTF-8 already)
        u32(std::uint32_t(s.size()));
        raw(s);
    }
    void integer(std::int64_t v) {
        if (v >= 0 && v < 256) {
            op('K');  // BININT1
            bytes.push_back(std::uint8_t(v));
        } else if (v >= 0 && v < 65536) {
            op('M');  // BININT2
            bytes.push_back(std::uint8_t(v));
            bytes.push_back(std::uint8_t(v >> 8));
        } else if (v >= -2147483648LL && v <= 2147483647LL) {
            op('J');  // BININT
            u32(std::uint32_t(std::int32_t(v)));
        } else {
            op('\x8a');  // LONG1: little-endian two's complement, 8 bytes is always enough
            bytes.push_back(8);
            for (int i = 0; i < 8; ++i) bytes.push_back(std::uint8_t(std::uint64_t(v) >> (8 * i)));
        }
    }
    void intTuple(const std::vector<std::int64_t>& values) {
        op('(');  // MARK
        for (std::int64_t v : values) integer(v);
        op('t');  // TUPLE
    }
    void emptyOrderedDict() {
        global("collections", "OrderedDict");
        op(')');  // EMPTY_TUPLE
        op('R');  // REDUCE
    }
};

}  // namespace

const char* torchStorageClass(DType dtype) {
    switch (dtype) {
        case DType::F16:
            return "HalfStorage";
        case DType::BF16:
            return "BFloat16Storage";
        case DType::F32:
            return "FloatStorage";
        case DType::F64:
            return "DoubleStorage";
        case DType::I8:
            return "CharStorage";
        case DType::I16:
            return "ShortStorage";
        case DType::I32:
            return "IntStorage";
        case DType::I64:
            return "LongStorage";
        case DType::U8:
            return "ByteStorage";
        case DType::Bool:
            return "BoolStorage";
    }
    return "FloatStorage";
}

std::vector<std::uint8_t> writeStateDictPickle(const std::vector<StateDictEntry>& entries) {
    Emitter e;
    e.op('\x80');  // PROTO 2, as torch.save writes
    e.bytes.push_back(2);
    e.emptyOrderedDict();
    if (!entries.empty()) {
        e.op('(');  // MARK for SETITEMS
        for (const StateDictEntry& t : entries) {
            e.text(t.name);
            e.global("torch._utils", "_rebuild_tensor_v2");
            e.op('(');  // MARK: the argument tuple
            e.op('(');  // MARK: the persistent id tuple
            e.text("storage");
            e.global("torch", torchStorageClass(t.dtype));
            e.text(t.storageKey);
            e.text("cpu");
            e.integer(std::int64_t(t.storageNumel));
            e.op('t');
            e.op('Q');  // BINPERSID
            e.integer(t.storageOffset);
            e.intTuple(t.shape);
            e.intTuple(t.strides.empty() ? contiguousStrides(t.shape) : t.strides);
            e.op('\x89');          // NEWFALSE: requires_grad
            e.emptyOrderedDict();  // backward_hooks
            e.op('t');
            e.op('R');
        }
        e.op('u');  // SETITEMS
    }
    e.op('.');  // STOP
    return std::move(e.bytes);
}

}  // namespace ws::pickle
