// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/tensor_chunks.h"

#include <algorithm>

namespace ws {

// A contiguous tensor's piece is itself a 1-D contiguous tensor over the same storage; going
// through Tensor keeps the decoding, byte swapping and bytesRead() accounting in one place.
static Tensor piece(const Tensor& tensor, std::int64_t start, std::int64_t count) {
    Tensor view;
    view.dtype = tensor.dtype;
    view.shape = {count};
    view.storageOffset = tensor.storageOffset + start;
    view.storage = tensor.storage;
    view.storageKey = tensor.storageKey;
    view.bigEndian = tensor.bigEndian;
    return view;
}

void forEachTensorChunk(
    const Tensor& tensor, std::int64_t maxElements,
    const std::function<void(const std::vector<std::uint8_t>&, std::int64_t)>& fn) {
    tensor.validate();
    const std::int64_t n = tensor.numel();
    if (n == 0) return;
    if (!tensor.isContiguous()) {
        fn(tensor.contiguousBytes(), n);
        return;
    }
    const std::int64_t step = std::max<std::int64_t>(1, maxElements);
    for (std::int64_t start = 0; start < n; start += step) {
        const std::int64_t count = std::min(step, n - start);
        fn(piece(tensor, start, count).contiguousBytes(), count);
    }
}

bool forEachInMemoryChunkAsDoubles(const Tensor& tensor, std::int64_t maxElements,
                                   const std::function<void(const std::vector<double>&)>& fn) {
    tensor.validate();
    const std::uint8_t* base = tensor.storage->data();
    if (!base || tensor.bigEndian || !tensor.isContiguous()) return false;
    const std::int64_t n = tensor.numel();
    const std::size_t width = dtypeSize(tensor.dtype);
    // validate() proved that the elements lie inside the storage.
    const std::uint8_t* first = base + std::size_t(tensor.storageOffset) * width;
    const std::int64_t step = std::max<std::int64_t>(1, maxElements);
    std::vector<double> values;
    for (std::int64_t start = 0; start < n; start += step) {
        values.resize(std::size_t(std::min(step, n - start)));
        decodeToDoubles(tensor.dtype, first + std::size_t(start) * width, values.size(),
                        values.data());
        Tensor::bytesRead() += values.size() * width;
        fn(values);
    }
    return true;
}

void forEachTensorChunkAsDoubles(const Tensor& tensor, std::int64_t maxElements,
                                 const std::function<void(const std::vector<double>&)>& fn) {
    tensor.validate();
    const std::int64_t n = tensor.numel();
    if (n == 0) return;
    if (!tensor.isContiguous()) {
        fn(tensor.toDoubles());
        return;
    }
    const std::int64_t step = std::max<std::int64_t>(1, maxElements);
    for (std::int64_t start = 0; start < n; start += step)
        fn(piece(tensor, start, std::min(step, n - start)).toDoubles());
}

}  // namespace ws
