// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: the safetensors reader (length prefix, JSON header, offsets) on an
// in-memory buffer, then every tensor it accepted is read.
#include <cstddef>
#include <cstdint>

#include "formats/readers.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        ws::Model model;
        ws::readSafetensors(ws::fuzz::memorySource(data, size), model);
        ws::fuzz::touchTensors(model);
    } catch (const ws::FormatError&) {
    }
    return 0;
}
