// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where the cells of a displayed 2-D matrix live in a tensor's storage, so that views read just
// those cells (a slice, a kernel tile grid, a table page) straight from the mapped file instead
// of widening the whole tensor to doubles first. Every matrix the views show is separable: cell
// (r, c) is storage element base + rowOffsets[r] + colOffsets[c].
#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <vector>

#include "model/tensor.h"
#include "stats/tensor_slice.h"

namespace ws {

struct ElementGrid {
    std::int64_t base = 0;                 // in elements of the storage, incl. storageOffset
    std::vector<std::int64_t> rowOffsets;  // one per displayed row
    std::vector<std::int64_t> colOffsets;  // one per displayed column
    std::int64_t rows() const { return std::int64_t(rowOffsets.size()); }
    std::int64_t cols() const { return std::int64_t(colOffsets.size()); }
};

// The cells extractSlice() would give for this spec, with the same checks (std::invalid_argument).
ElementGrid sliceGrid(const Tensor& tensor, const SliceSpec& spec);
// The cells tileGrid() would give for a convolution kernel.
ElementGrid kernelTileGrid(const Tensor& tensor, const KernelLayout& layout);
// Every element once, in C order: rows are the leading axes flattened, columns the last axis.
ElementGrid wholeTensorGrid(const Tensor& tensor);

// Reads rows of a grid as doubles, decoding the tensor's dtype and byte order. Uses the
// storage's memory mapping when it has one, else bounded reads through ByteSource::read. One
// reader per thread: it keeps a scratch buffer. Tensor and grid must outlive it.
// Thrown by the streaming readers when their cancel flag became true (the selection changed).
struct ReadCancelled : std::exception {
    const char* what() const noexcept override { return "cancelled"; }
};

class GridReader {
  public:
    // Throws FormatError when the tensor does not fit its storage (Tensor::validate()).
    GridReader(const Tensor& tensor, const ElementGrid& grid);

    // Cells [c0, c1) of row r, widened to double, into out[0 .. c1-c0).
    void readRow(std::int64_t r, std::int64_t c0, std::int64_t c1, double* out) const;
    double at(std::int64_t r, std::int64_t c) const;

  private:
    const Tensor& tensor_;
    const ElementGrid& grid_;
    const std::uint8_t* mapped_ = nullptr;  // the whole storage, when it is in memory
    std::size_t width_ = 0;
    std::int64_t colStep_ = 0;  // colOffsets[c+1] - colOffsets[c] for every c, else -1
    mutable std::vector<std::uint8_t> scratch_;
};

// Every element of the tensor in C order, widened to double, in pieces of at most 65536, without
// ever holding the whole tensor. Throws ReadCancelled when *cancel becomes true.
void forEachElementPiece(const Tensor& tensor, const std::atomic<bool>* cancel,
                         const std::function<void(const double* values, std::int64_t n)>& fn);

}  // namespace ws
