// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: the non-executing pickle decoder on arbitrary bytes. It must return a
// document or throw ws::FormatError; the display renderer must cope with whatever it built
// (cycles, deep nesting, odd strings).
#include <cstddef>
#include <cstdint>

#include "model/error.h"
#include "pickle/unpickler.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ws::PickleReport report;
    try {
        std::size_t consumed = 0;
        auto doc = ws::pickle::unpickle(data, size, report, &consumed);
        if (consumed > size) __builtin_trap();  // the decoder claims bytes it was never given
        if (doc && doc->root) ws::pickle::toDisplayText(*doc->root);
    } catch (const ws::FormatError&) {
    }
    return 0;
}
