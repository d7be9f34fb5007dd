// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A tensor as stored in a file: element type, shape, strides and offset into a (possibly shared)
// storage whose bytes are read only on demand.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/byte_source.h"
#include "model/dtype.h"

namespace ws {

struct Tensor {
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> strides;  // in elements; empty means C-contiguous
    std::int64_t storageOffset = 0;     // in elements
    ByteSourcePtr storage;              // the whole storage this tensor views
    std::string storageKey;             // identifies a storage shared by several views
    bool bigEndian = false;

    std::int64_t numel() const;
    std::uint64_t nbytes() const { return std::uint64_t(numel()) * dtypeSize(dtype); }
    std::vector<std::int64_t> effectiveStrides() const;  // strides, or C-contiguous ones
    bool isContiguous() const;
    // Throws FormatError when the view reaches outside its storage or the shape is invalid.
    void validate() const;

    // The elements in C order, little-endian, as raw bytes of dtype. Reads the storage.
    std::vector<std::uint8_t> contiguousBytes() const;
    // The elements in C order widened to double (bool -> 0/1). Reads the storage.
    std::vector<double> toDoubles() const;

    // Bytes of tensor data delivered so far in this process: tests prove with it that opening
    // a model reads metadata only.
    static std::atomic<std::uint64_t>& bytesRead();
};

using TensorPtr = std::shared_ptr<Tensor>;

std::string shapeToString(const std::vector<std::int64_t>& shape);  // "(200, 1)"

// The strides, in elements, of a C-order (row-major, last axis fastest) array of this shape.
std::vector<std::int64_t> contiguousStrides(const std::vector<std::int64_t>& shape);

// Widens n little-endian elements of dtype at src to doubles (bool -> 0/1), as toDoubles() does.
void decodeToDoubles(DType dtype, const std::uint8_t* src, std::size_t n, double* out);

}  // namespace ws
