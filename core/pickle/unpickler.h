// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A pickle decoder that never executes anything (protocols 0-5, every opcode torch files use).
// Class references resolve only against the fixed allowlist in pickle/globals.h; every other
// class, and every known code-execution vector, becomes an inert placeholder Object and is
// recorded in the PickleReport. Hostile input is bounded: stack depth, mark depth, memo size
// and the number of values are limited, and every read is checked, so malformed input ends in
// ws::FormatError("pickle: <OPCODE> at byte <offset>: <what is wrong>"), never a crash.
//
// Fuzzing entry point: unpickle(data, size, report) with any bytes; it either returns a
// Document or throws ws::FormatError.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "model/model.h"
#include "pickle/value.h"

namespace ws::pickle {

struct Limits {
    std::size_t maxStack = 1u << 20;    // values on the stack at once
    std::size_t maxMarks = 1u << 16;    // nested MARKs
    std::size_t maxMemo = 1u << 22;     // memo entries
    std::size_t maxValues = 1u << 22;   // values created in total (each is ~200 bytes)
    std::size_t maxBigIntBytes = 4096;  // larger LONG4 integers are kept as hex text
};

// Decodes the pickle that starts at data[0] and ends at its STOP opcode. `consumed` (optional)
// receives the number of bytes used, so a stream of pickles (legacy torch files) can be read
// one after the other. Adds placeholder classes and dangerous globals to `report` (sorted,
// unique). Throws FormatError on anything malformed or over a limit.
std::unique_ptr<Document> unpickle(const std::uint8_t* data, std::size_t size, PickleReport& report,
                                   std::size_t* consumed = nullptr,
                                   const Limits& limits = Limits());

}  // namespace ws::pickle
