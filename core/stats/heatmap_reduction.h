// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shrinking a matrix to what a screen can show, and choosing a colour range for it. A 4096 × 4096
// weight matrix has more cells than a monitor has pixels; the heatmap shows block summaries
// instead, and says which summary it used.
#include <cstdint>
#include <vector>

#include "stats/tensor_slice.h"

namespace ws {

enum class BlockReduction {
    Mean,    // the arithmetic mean of the block
    MaxAbs,  // the element of largest magnitude, sign kept: outliers stay visible
};

struct ReducedMatrix {
    Matrix2D matrix;
    std::int64_t rowBlock = 1;  // source rows per output row (the last block may be shorter)
    std::int64_t colBlock = 1;
};

// Returns m unchanged (blocks of 1) when it already fits in maxRows × maxCols; otherwise output
// cell (r, c) summarises source rows [r*rowBlock, min((r+1)*rowBlock, rows)) and the same for
// columns, with rowBlock = ceil(rows / maxRows). A NaN anywhere in a block makes the cell NaN so
// that damage stays visible; infinities propagate the same way (MaxAbs keeps an Inf's sign).
ReducedMatrix reduceForDisplay(const Matrix2D& m, std::int64_t maxRows, std::int64_t maxCols,
                               BlockReduction mode);

// Half-width of a colour range centred at 0: the largest finite |x| when percentile >= 100,
// else the given percentile of the finite |x| (nearest rank), so one outlier cannot wash out the
// rest. Returns 0 when there are no finite values.
double symmetricRange(const std::vector<double>& values, double percentile);

}  // namespace ws
