// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/npy_writer.h"

#include "io/atomic_file.h"
#include "io/tensor_chunks.h"
#include "model/error.h"
#include "model/half.h"

namespace ws {

namespace {

// Bytes per piece when streaming the tensor to disk.
constexpr std::int64_t kChunkBytes = 8 << 20;

std::string shapeTuple(const std::vector<std::int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += std::to_string(shape[i]) + ", ";
    if (shape.size() > 1)
        s.resize(s.size() - 2);  // "(3, 4)"; one dimension keeps "(3,)"
    else if (shape.size() == 1)
        s.resize(s.size() - 1);
    return s + ")";
}

}  // namespace

std::string npyHeader(const std::string& descr, const std::vector<std::int64_t>& shape) {
    std::string dict =
        "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeTuple(shape) + ", }";
    // magic(6) + version(2) + length(2) + dict + padding + '\n' is a multiple of 64, as NumPy
    // writes it, so the data that follows is aligned.
    std::size_t total = 10 + dict.size() + 1;
    dict.append((64 - total % 64) % 64, ' ');
    dict += '\n';
    if (dict.size() > 0xFFFF)
        throw FormatError("the .npy header for shape " + shapeToString(shape) +
                          " is too long for format version 1.0");
    std::string out("\x93NUMPY\x01\x00", 8);
    out += char(dict.size() & 0xFF);
    out += char(dict.size() >> 8);
    return out + dict;
}

std::string writeNpy(const Tensor& tensor, const std::string& path) {
    tensor.validate();
    const bool widen = tensor.dtype == DType::BF16;
    const std::string descr = widen ? "<f4" : *dtypeNumpyDescr(tensor.dtype);
    const std::string header = npyHeader(descr, tensor.shape);

    AtomicFile out(path);
    out.write(header.data(), header.size());
    const std::int64_t perChunk = kChunkBytes / std::int64_t(dtypeSize(tensor.dtype));
    forEachTensorChunk(
        tensor, perChunk, [&](const std::vector<std::uint8_t>& bytes, std::int64_t n) {
            if (!widen) {
                out.write(bytes.data(), bytes.size());
                return;
            }
            std::vector<float> wide(static_cast<std::size_t>(n));
            for (std::size_t i = 0; i < wide.size(); ++i)
                wide[i] = bfloat16ToFloat(std::uint16_t(bytes[2 * i] | (bytes[2 * i + 1] << 8)));
            out.write(wide.data(), wide.size() * sizeof(float));
        });
    out.commit();
    return widen ? "bf16 has no NumPy dtype: values were widened to float32 (exactly)" : "";
}

}  // namespace ws
