// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/heatmap_reduction.h"

#include <algorithm>
#include <cmath>

namespace ws {

namespace {

double summarise(const Matrix2D& m, std::int64_t r0, std::int64_t r1, std::int64_t c0,
                 std::int64_t c1, BlockReduction mode) {
    double sum = 0, best = 0;
    for (std::int64_t r = r0; r < r1; ++r)
        for (std::int64_t c = c0; c < c1; ++c) {
            const double v = m.at(r, c);
            if (std::isnan(v)) return v;
            sum += v;
            if (std::fabs(v) > std::fabs(best)) best = v;
        }
    if (mode == BlockReduction::MaxAbs) return best;
    return sum / double((r1 - r0) * (c1 - c0));
}

}  // namespace

ReducedMatrix reduceForDisplay(const Matrix2D& m, std::int64_t maxRows, std::int64_t maxCols,
                               BlockReduction mode) {
    ReducedMatrix out;
    maxRows = std::max<std::int64_t>(maxRows, 1);
    maxCols = std::max<std::int64_t>(maxCols, 1);
    if (m.rows <= maxRows && m.cols <= maxCols) {
        out.matrix = m;
        return out;
    }
    out.rowBlock = (m.rows + maxRows - 1) / maxRows;
    out.colBlock = (m.cols + maxCols - 1) / maxCols;
    Matrix2D& r = out.matrix;
    r.rows = (m.rows + out.rowBlock - 1) / out.rowBlock;
    r.cols = (m.cols + out.colBlock - 1) / out.colBlock;
    r.values.resize(std::size_t(r.rows * r.cols));
    for (std::int64_t i = 0; i < r.rows; ++i) {
        const std::int64_t r0 = i * out.rowBlock, r1 = std::min(m.rows, r0 + out.rowBlock);
        for (std::int64_t j = 0; j < r.cols; ++j) {
            const std::int64_t c0 = j * out.colBlock, c1 = std::min(m.cols, c0 + out.colBlock);
            r.values[std::size_t(i * r.cols + j)] = summarise(m, r0, r1, c0, c1, mode);
        }
    }
    return out;
}

double symmetricRange(const std::vector<double>& values, double percentile) {
    std::vector<double> mags;
    mags.reserve(values.size());
    for (double v : values)
        if (std::isfinite(v)) mags.push_back(std::fabs(v));
    if (mags.empty()) return 0;
    if (percentile >= 100) return *std::max_element(mags.begin(), mags.end());
    percentile = std::max(percentile, 0.0);
    // Nearest rank: the smallest value with at least percentile% of the data at or below it.
    std::size_t rank = std::size_t(std::ceil(percentile / 100.0 * double(mags.size())));
    rank = std::clamp<std::size_t>(rank, 1, mags.size());
    std::nth_element(mags.begin(), mags.begin() + std::ptrdiff_t(rank - 1), mags.end());
    return mags[rank - 1];
}

}  // namespace ws
