// SPDX-License-Identifier: GPL-3.0-or-later
#include <functional>

#include "export/exporters.h"
#include "io/tensor_chunks.h"
#include "model/half.h"

namespace ws {

namespace {
constexpr std::int64_t kChunkBytes = 8 << 20;
}

std::uint64_t exportedBytes(const Tensor& tensor, bool widenBf16) {
    const std::uint64_t width =
        widenBf16 && tensor.dtype == DType::BF16 ? 4 : dtypeSize(tensor.dtype);
    return std::uint64_t(tensor.numel()) * width;
}

void streamTensor(const Tensor& tensor, bool widenBf16,
                  const std::function<void(const void*, std::size_t)>& sink) {
    const bool widen = widenBf16 && tensor.dtype == DType::BF16;
    forEachTensorChunk(
        tensor, kChunkBytes / std::int64_t(dtypeSize(tensor.dtype)),
        [&](const std::vector<std::uint8_t>& bytes, std::int64_t n) {
            if (!widen) {
                sink(bytes.data(), bytes.size());
                return;
            }
            std::vector<float> wide(static_cast<std::size_t>(n));
            for (std::size_t i = 0; i < wide.size(); ++i)
                wide[i] = bfloat16ToFloat(std::uint16_t(bytes[2 * i] | (bytes[2 * i + 1] << 8)));
            sink(wide.data(), wide.size() * sizeof(float));
        });
}

}  // namespace ws
