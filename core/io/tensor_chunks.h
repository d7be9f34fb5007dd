#pragma once
// Reads a tensor's elements in bounded pieces, so statistics and exports of a tensor larger than
// memory allows do not need all of it (or a double per element) at once.
#include <cstdint>
#include <functional>
#include <vector>

#include "model/tensor.h"

namespace ws {

// Calls fn with the tensor's elements in C order, little-endian, as raw dtype bytes, about
// maxElements at a time (count = elements in this piece). Non-contiguous views arrive in one
// piece. Throws FormatError like Tensor::contiguousBytes().
void forEachTensorChunk(
    const Tensor& tensor, std::int64_t maxElements,
    const std::function<void(const std::vector<std::uint8_t>& bytes, std::int64_t count)>& fn);

// The same pieces decoded to doubles (bool -> 0/1), as Tensor::toDoubles() would give them.
void forEachTensorChunkAsDoubles(const Tensor& tensor, std::int64_t maxElements,
                                 const std::function<void(const std::vector<double>& values)>& fn);

}  // namespace ws
