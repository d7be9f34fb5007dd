// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Everything the heatmap needs for one displayed matrix, computed in one streaming pass over the
// cells straight from the tensor's storage: the block-mean and block-max|x| reductions (so the
// user can switch between them without another read), NaN/Inf counts, and the colour range
// (largest finite |x| and a percentile of |x|). Never holds more than a few rows of doubles, so
// a 16384 × 16384 tensor costs the reduced matrix plus the pages the kernel maps in.
#include <atomic>
#include <cstdint>

#include "stats/element_grid.h"
#include "stats/heatmap_reduction.h"

namespace ws {

// Up to this many finite |x|, the percentile is exact (nearest rank, as symmetricRange());
// beyond, it is MagnitudeHistogram's estimate (at most 0.4 % above the exact value).
constexpr std::int64_t kExactPercentileElements = std::int64_t(1) << 20;

struct ColourRange {
    double maxAbs = 0;   // largest finite |x|; 0 without finite values
    double clipAbs = 0;  // the clip percentile of the finite |x|
    bool clipExact = true;
};

struct PrepareOptions {
    bool cells = true;           // compute the reduced matrices
    bool range = true;           // compute the colour range over every cell read
    double clipPercentile = 99;  // for ColourRange::clipAbs
    int threads = 1;             // row bands read in parallel (results do not depend on it)
    const std::atomic<bool>* cancel = nullptr;
};

struct PreparedHeatmap {
    std::int64_t rows = 0, cols = 0;  // the full-resolution matrix
    std::int64_t rowBlock = 1, colBlock = 1;
    Matrix2D mean;    // reduceForDisplay(..., Mean) of the matrix, cell for cell
    Matrix2D maxAbs;  // reduceForDisplay(..., MaxAbs)
    std::uint64_t nan = 0, posInf = 0, negInf = 0;  // among all rows × cols cells
    ColourRange range;                              // when PrepareOptions::range

    ReducedMatrix reduced(BlockReduction mode) const;
};

// Blocks as reduceForDisplay(matrix, maxRows, maxCols, mode) chooses them, and the same cell
// values (same summation order, so equal to the last bit). Throws FormatError when the storage
// cannot deliver the bytes and ReadCancelled when cancelled.
PreparedHeatmap prepareHeatmap(const Tensor& tensor, const ElementGrid& grid, std::int64_t maxRows,
                               std::int64_t maxCols, const PrepareOptions& options = {});

// The colour range of every element of the tensor (one streaming pass, nothing reduced).
ColourRange tensorColourRange(const Tensor& tensor, const PrepareOptions& options = {});

}  // namespace ws
