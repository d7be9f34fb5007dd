// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the libFuzzer harnesses: wrap the input as a ByteSource, and read every
// tensor of a model the way a viewer would (small ones only, so the fuzzer stays fast), which
// exercises view validation and storage reads on top of the metadata parsing.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "io/byte_source.h"
#include "model/error.h"
#include "model/model.h"

namespace ws::fuzz {

inline ByteSourcePtr memorySource(const std::uint8_t* data, std::size_t size) {
    return std::make_shared<MemoryByteSource>(std::vector<std::uint8_t>(data, data + size));
}

inline void touchTensors(const Model& model) {
    model.forEachTensor([](Node& node) {
        if (!node.tensor) return;
        try {
            node.tensor->validate();
            if (node.tensor->nbytes() <= (1u << 20)) node.tensor->toDoubles();
        } catch (const FormatError&) {
            // A damaged view is reported, not read: that is the behaviour under test.
        }
    });
}

}  // namespace ws::fuzz
