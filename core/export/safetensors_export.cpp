// SPDX-License-Identifier: GPL-3.0-or-later
// safetensors: 8-byte little-endian header length N, N bytes of JSON (padded with spaces so
// the data starts at a multiple of 8), then the tensors back to back in the header's order.
#include <nlohmann/json.hpp>

#include "export/exporters.h"
#include "formats/safetensors_dtype.h"
#include "io/atomic_file.h"

namespace ws {

void exportSafetensorsFile(const ExportInput& input, AtomicFile& out, ExportReport& report) {
    nlohmann::ordered_json header;
    header["__metadata__"] = {{"format", "pt"}};
    std::uint64_t offset = 0;
    for (const Node* n : input.tensors) {
        const Tensor& t = *n->tensor;
        const std::uint64_t size = exportedBytes(t, false);
        header[n->path] = {{"dtype", safetensorsDtypeName(t.dtype)},
                           {"shape", t.shape},
                           {"data_offsets", {offset, offset + size}}};
        offset += size;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::uint8_t length[8];
    for (int i = 0; i < 8; ++i) length[i] = std::uint8_t(std::uint64_t(text.size()) >> (8 * i));
    out.write(length, 8);
    out.write(text.data(), text.size());
    for (const Node* n : input.tensors)
        streamTensor(*n->tensor, false, [&](const void* p, std::size_t k) { out.write(p, k); });
    report.format = "safetensors";
    report.tensors = input.tensors.size();
}

}  // namespace ws
