// SPDX-License-Identifier: GPL-3.0-or-later
#include "pickle/op.h"

#include <array>
#include <cstring>

namespace ws::pickle {

namespace {

using A = ArgKind;

// One row per opcode, in pickletools' order of protocols.
constexpr OpInfo kOps[] = {
    // protocol 0
    {Op::Mark, "MARK", A::None, false, 0, 0},  // pushes a mark: special in every user
    {Op::Stop, "STOP", A::None, false, 1, 0},
    {Op::Pop, "POP", A::None, false, 1, 0},
    {Op::PopMark, "POP_MARK", A::None, true, 0, 0},
    {Op::Dup, "DUP", A::None, false, 1, 2},
    {Op::Float, "FLOAT", A::Line, false, 0, 1},
    {Op::Int, "INT", A::Line, false, 0, 1},
    {Op::Long, "LONG", A::Line, false, 0, 1},
    {Op::None, "NONE", A::None, false, 0, 1},
    {Op::PersId, "PERSID", A::Line, false, 0, 1},
    {Op::Reduce, "REDUCE", A::None, false, 2, 1},
    {Op::String, "STRING", A::Line, false, 0, 1},
    {Op::Unicode, "UNICODE", A::Line, false, 0, 1},
    {Op::Append, "APPEND", A::None, false, 1, 0},
    {Op::Build, "BUILD", A::None, false, 1, 0},
    {Op::Global, "GLOBAL", A::TwoLines, false, 0, 1},
    {Op::Dict, "DICT", A::None, true, 0, 1},
    {Op::Get, "GET", A::Line, false, 0, 1},
    {Op::Inst, "INST", A::TwoLines, true, 0, 1},
    {Op::List, "LIST", A::None, true, 0, 1},
    {Op::Put, "PUT", A::Line, false, 0, 0},
    {Op::SetItem, "SETITEM", A::None, false, 2, 0},
    {Op::Tuple, "TUPLE", A::None, true, 0, 1},
    // protocol 1
    {Op::BinInt, "BININT", A::Uint4, false, 0, 1},
    {Op::BinInt1, "BININT1", A::Uint1, false, 0, 1},
    {Op::BinInt2, "BININT2", A::Uint2, false, 0, 1},
    {Op::BinPersId, "BINPERSID", A::None, false, 1, 1},
    {Op::BinString, "BINSTRING", A::Counted4, false, 0, 1},
    {Op::ShortBinString, "SHORT_BINSTRING", A::Counted1, false, 0, 1},
    {Op::BinUnicode, "BINUNICODE", A::Counted4, false, 0, 1},
    {Op::EmptyDict, "EMPTY_DICT", A::None, false, 0, 1},
    {Op::Appends, "APPENDS", A::None, true, 0, 0},
    {Op::BinGet, "BINGET", A::Uint1, false, 0, 1},
    {Op::LongBinGet, "LONG_BINGET", A::Uint4, false, 0, 1},
    {Op::EmptyList, "EMPTY_LIST", A::None, false, 0, 1},
    {Op::Obj, "OBJ", A::None, true, 0, 1},
    {Op::BinPut, "BINPUT", A::Uint1, false, 0, 0},
    {Op::LongBinPut, "LONG_BINPUT", A::Uint4, false, 0, 0},
    {Op::EmptyTuple, "EMPTY_TUPLE", A::None, false, 0, 1},
    {Op::SetItems, "SETITEMS", A::None, true, 0, 0},
    {Op::BinFloat, "BINFLOAT", A::Float8, false, 0, 1},
    // protocol 2
    {Op::Proto, "PROTO", A::Uint1, false, 0, 0},
    {Op::NewObj, "NEWOBJ", A::None, false, 2, 1},
    {Op::Ext1, "EXT1", A::Uint1, false, 0, 1},
    {Op::Ext2, "EXT2", A::Uint2, false, 0, 1},
    {Op::Ext4, "EXT4", A::Uint4, false, 0, 1},
    {Op::Tuple1, "TUPLE1", A::None, false, 1, 1},
    {Op::Tuple2, "TUPLE2", A::None, false, 2, 1},
    {Op::Tuple3, "TUPLE3", A::None, false, 3, 1},
    {Op::NewTrue, "NEWTRUE", A::None, false, 0, 1},
    {Op::NewFalse, "NEWFALSE", A::None, false, 0, 1},
    {Op::Long1, "LONG1", A::Counted1, false, 0, 1},
    {Op::Long4, "LONG4", A::Counted4, false, 0, 1},
    // protocol 3
    {Op::BinBytes, "BINBYTES", A::Counted4, false, 0, 1},
    {Op::ShortBinBytes, "SHORT_BINBYTES", A::Counted1, false, 0, 1},
    // protocol 4
    {Op::ShortBinUnicode, "SHORT_BINUNICODE", A::Counted1, false, 0, 1},
    {Op::BinUnicode8, "BINUNICODE8", A::Counted8, false, 0, 1},
    {Op::BinBytes8, "BINBYTES8", A::Counted8, false, 0, 1},
    {Op::EmptySet, "EMPTY_SET", A::None, false, 0, 1},
    {Op::AddItems, "ADDITEMS", A::None, true, 0, 0},
    {Op::FrozenSet, "FROZENSET", A::None, true, 0, 1},
    {Op::NewObjEx, "NEWOBJ_EX", A::None, false, 3, 1},
    {Op::StackGlobal, "STACK_GLOBAL", A::None, false, 2, 1},
    {Op::Memoize, "MEMOIZE", A::None, false, 0, 0},
    {Op::Frame, "FRAME", A::Uint8, false, 0, 0},
    // protocol 5
    {Op::ByteArray8, "BYTEARRAY8", A::Counted8, false, 0, 1},
    {Op::NextBuffer, "NEXT_BUFFER", A::None, false, 0, 1},
    {Op::ReadOnlyBuffer, "READONLY_BUFFER", A::None, false, 1, 1},
};

std::array<const OpInfo*, 256> byByte() {
    std::array<const OpInfo*, 256> table{};
    for (const OpInfo& info : kOps) table[std::uint8_t(info.op)] = &info;
    return table;
}

std::uint64_t littleEndian(const std::uint8_t* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

class Cursor {
  public:
    Cursor(const std::uint8_t* data, std::size_t size, std::size_t pos, std::string& error)
        : data_(data), size_(size), pos_(pos), error_(error) {}

    std::size_t pos() const { return pos_; }

    bool take(std::uint64_t n, std::string_view& out) {
        if (n > size_ - pos_) {
            error_ = "needs " + std::to_string(n) + " bytes but the input ends after " +
                     std::to_string(size_ - pos_);
            return false;
        }
        out = {reinterpret_cast<const char*>(data_ + pos_), std::size_t(n)};
        pos_ += std::size_t(n);
        return true;
    }
    bool number(std::size_t width, std::uint64_t& out) {
        std::string_view raw;
        if (!take(width, raw)) return false;
        out = littleEndian(reinterpret_cast<const std::uint8_t*>(raw.data()), width);
        return true;
    }
    bool line(std::string_view& out) {
        const void* nl = std::memchr(data_ + pos_, '\n', size_ - pos_);
        if (!nl) {
            error_ = "the text argument has no terminating newline";
            return false;
        }
        const std::size_t end = std::size_t(static_cast<const std::uint8_t*>(nl) - data_);
        out = {reinterpret_cast<const char*>(data_ + pos_), end - pos_};
        if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
        pos_ = end + 1;
        return true;
    }

  private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_;
    std::string& error_;
};

}  // namespace

const OpInfo* opInfo(std::uint8_t byte) {
    static const std::array<const OpInfo*, 256> table = byByte();
    return table[byte];
}

const char* opcodeName(std::uint8_t op) {
    const OpInfo* info = opInfo(op);
    return info ? info->name : nullptr;
}

bool readArgument(ArgKind kind, const std::uint8_t* data, std::size_t size, std::size_t& pos,
                  Argument& out, std::string& error) {
    Cursor in(data, size, pos, error);
    bool ok = true;
    switch (kind) {
        case ArgKind::None:
            break;
        case ArgKind::Uint1:
            ok = in.number(1, out.number);
            break;
        case ArgKind::Uint2:
            ok = in.number(2, out.number);
            break;
        case ArgKind::Uint4:
            ok = in.number(4, out.number);
            break;
        case ArgKind::Uint8:
            ok = in.number(8, out.number);
            break;
        case ArgKind::Float8:
            ok = in.take(8, out.bytes);
            break;
        case ArgKind::Line:
            ok = in.line(out.bytes);
            break;
        case ArgKind::TwoLines:
            ok = in.line(out.bytes) && in.line(out.second);
            break;
        case ArgKind::Counted1:
        case ArgKind::Counted4:
        case ArgKind::Counted8: {
            const std::size_t width = kind == ArgKind::Counted1   ? 1
                                      : kind == ArgKind::Counted4 ? 4
                                                                  : 8;
            ok = in.number(width, out.number) && in.take(out.number, out.bytes);
            break;
        }
    }
    if (ok) pos = in.pos();
    return ok;
}

}  // namespace ws::pickle
