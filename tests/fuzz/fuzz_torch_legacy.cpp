// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: the legacy (pre-1.6) torch.save stream reader on an in-memory buffer:
// the pickle sequence, storage keys, raw storages and the tree built over them.
#include <cstddef>
#include <cstdint>

#include "formats/readers.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        ws::Model model;
        ws::readTorchLegacy(ws::fuzz::memorySource(data, size), model);
        ws::fuzz::touchTensors(model);
    } catch (const ws::FormatError&) {
    }
    return 0;
}
