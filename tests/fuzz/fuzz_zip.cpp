// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: the zip container over an in-memory buffer. Parse the central directory,
// open and read every entry (stored windows and inflated ones), then, when it looks like a
// PyTorch archive, run the torch zip reader on it and read its tensors.
#include <cstddef>
#include <cstdint>

#include "containers/zip.h"
#include "formats/readers.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        ws::ZipArchive zip(ws::fuzz::memorySource(data, size));
        for (const ws::ZipEntry& entry : zip.entries()) {
            try {
                ws::ByteSourcePtr bytes = zip.open(entry);
                if (bytes->size() <= (16u << 20)) bytes->readAll();
            } catch (const ws::FormatError&) {
            }
        }
        if (zip.findSuffix("data.pkl")) {
            ws::Model model;
            ws::readTorchZip(zip, model);
            ws::fuzz::touchTensors(model);
        }
    } catch (const ws::FormatError&) {
    }
    return 0;
}
