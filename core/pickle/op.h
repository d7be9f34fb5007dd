// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The pickle opcodes, known once: their byte, their pickletools name, how their argument is laid
// out in the stream and what they do to the stack. The unpickler, the legacy-pickle rewrite
// scanner and the pickle writer all speak through this table, as CPython's pickletools does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ws::pickle {

enum class Op : std::uint8_t {
    Mark = '(',
    Stop = '.',
    Pop = '0',
    PopMark = '1',
    Dup = '2',
    Float = 'F',
    Int = 'I',
    BinInt = 'J',
    BinInt1 = 'K',
    Long = 'L',
    BinInt2 = 'M',
    None = 'N',
    PersId = 'P',
    BinPersId = 'Q',
    Reduce = 'R',
    String = 'S',
    BinString = 'T',
    ShortBinString = 'U',
    Unicode = 'V',
    BinUnicode = 'X',
    Append = 'a',
    Build = 'b',
    Global = 'c',
    Dict = 'd',
    EmptyDict = '}',
    Appends = 'e',
    Get = 'g',
    BinGet = 'h',
    Inst = 'i',
    LongBinGet = 'j',
    List = 'l',
    EmptyList = ']',
    Obj = 'o',
    Put = 'p',
    BinPut = 'q',
    LongBinPut = 'r',
    SetItem = 's',
    Tuple = 't',
    EmptyTuple = ')',
    SetItems = 'u',
    BinFloat = 'G',
    BinBytes = 'B',
    ShortBinBytes = 'C',
    Proto = 0x80,
    NewObj = 0x81,
    Ext1 = 0x82,
    Ext2 = 0x83,
    Ext4 = 0x84,
    Tuple1 = 0x85,
    Tuple2 = 0x86,
    Tuple3 = 0x87,
    NewTrue = 0x88,
    NewFalse = 0x89,
    Long1 = 0x8a,
    Long4 = 0x8b,
    ShortBinUnicode = 0x8c,
    BinUnicode8 = 0x8d,
    BinBytes8 = 0x8e,
    EmptySet = 0x8f,
    AddItems = 0x90,
    FrozenSet = 0x91,
    NewObjEx = 0x92,
    StackGlobal = 0x93,
    Memoize = 0x94,
    Frame = 0x95,
    ByteArray8 = 0x96,
    NextBuffer = 0x97,
    ReadOnlyBuffer = 0x98,
};

// How an opcode's argument follows it in the stream (pickletools' ArgumentDescriptor).
enum class ArgKind : std::uint8_t {
    None,
    Uint1,  // little-endian unsigned integers of 1, 2, 4, 8 bytes
    Uint2,
    Uint4,
    Uint8,
    Float8,    // BINFLOAT: an IEEE double, big-endian
    Line,      // text up to '\n' (decimal, float, quoted string, raw-unicode, persistent id)
    TwoLines,  // module and name, each up to '\n' (GLOBAL, INST)
    Counted1,  // a little-endian length of 1, 4 or 8 bytes, then that many bytes
    Counted4,
    Counted8,
};

struct OpInfo {
    Op op;
    const char* name;  // pickletools' name: "BINUNICODE"
    ArgKind arg;
    // Stack effect: first everything down to the innermost MARK (and the MARK) when
    // `popsToMark`, then `pops` values; then `pushes` values. The target of APPEND, SETITEM,
    // BUILD, ... stays on the stack and is not counted.
    bool popsToMark;
    std::uint8_t pops;
    std::uint8_t pushes;
};

// The table entry of opcode byte `byte`, or null for a byte that is no opcode.
const OpInfo* opInfo(std::uint8_t byte);

// The pickletools name of opcode byte `op` ("BINUNICODE"), or null for an unknown byte.
const char* opcodeName(std::uint8_t op);

// An opcode's decoded argument.
struct Argument {
    std::uint64_t number = 0;  // Uint*: the value; Counted*: the length
    // Counted*: the bytes; Line / TwoLines: the (first) line without its newline or a trailing
    // '\r'; Float8: the 8 raw bytes.
    std::string_view bytes;
    std::string_view second;  // TwoLines: the second line
};

// Reads the argument of kind `kind` at data[pos] and moves `pos` past it. Returns false with
// `error` saying what is wrong ("needs 8 bytes but the input ends after 3") when the input is
// too short, leaving `pos` unchanged.
bool readArgument(ArgKind kind, const std::uint8_t* data, std::size_t size, std::size_t& pos,
                  Argument& out, std::string& error);

}  // namespace ws::pickle
