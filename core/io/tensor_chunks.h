// SPDX-License-Identifier: GPL-3.0-or-later
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

// The same for a contiguous little-endian tensor whose storage is already in memory (mmap or a
// buffer): pieces are decoded straight from that memory into one reused buffer, with no copy of
// the bytes, so small pieces cost nothing extra. Returns false, without calling fn, for any
// other tensor (the caller then uses forEachTensorChunkAsDoubles). Throws FormatError like
// Tensor::validate().
bool forEachInMemoryChunkAsDoubles(
    const Tensor& tensor, std::int64_t maxElements,
    const std::function<void(const std::vector<double>& values)>& fn);

}  // namespace ws
