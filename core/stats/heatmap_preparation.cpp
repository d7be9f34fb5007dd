// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/heatmap_preparation.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <exception>
#include <thread>

#include "stats/magnitude_histogram.h"

namespace ws {

namespace {

// What one thread accumulates over its band of output rows.
struct Band {
    std::int64_t outRow0 = 0, outRow1 = 0;  // output rows owned (source rows follow from them)
    std::uint64_t nan = 0, posInf = 0, negInf = 0;
    double maxAbs = 0;
    MagnitudeHistogram magnitudes;
    std::vector<double> exact;  // every finite |x| while the percentile is exact
    std::exception_ptr error;
};

// Cells read and summarised at a time: bounded memory for any row length.
constexpr std::int64_t kPieceElements = std::int64_t(1) << 16;

bool cancelled(const PrepareOptions& o) {
    return o.cancel && o.cancel->load(std::memory_order_relaxed);
}

class Preparer {
  public:
    Preparer(const Tensor& tensor, const ElementGrid& grid, PreparedHeatmap& out,
             const PrepareOptions& options, bool exact)
        : tensor_(tensor), grid_(grid), out_(out), options_(options), exact_(exact) {}

    void run(Band& band) {
        try {
            runBand(band);
        } catch (...) {
            band.error = std::current_exception();
        }
    }

  private:
    void runBand(Band& band) {
        const GridReader reader(tensor_, grid_);
        const std::int64_t cols = out_.cols, rb = out_.rowBlock, cb = out_.colBlock;
        const std::int64_t outCols = options_.cells ? out_.mean.cols : 0;
        // Long rows (a 1-D tensor of 10^8 elements is one row) are read in pieces.
        const std::int64_t piece = std::min(cols, kPieceElements);
        std::vector<double> row(static_cast<std::size_t>(piece)),
            sum(static_cast<std::size_t>(outCols)), best(static_cast<std::size_t>(outCols)),
            bestAbs(static_cast<std::size_t>(outCols));
        std::vector<char> hasNan(static_cast<std::size_t>(outCols));
        const bool identity = rb == 1 && cb == 1;
        for (std::int64_t o = band.outRow0; o < band.outRow1; ++o) {
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(best.begin(), best.end(), 0.0);
            std::fill(bestAbs.begin(), bestAbs.end(), 0.0);
            std::fill(hasNan.begin(), hasNan.end(), 0);
            const std::int64_t r0 = o * rb, r1 = std::min(out_.rows, r0 + rb);
            for (std::int64_t r = r0; r < r1; ++r) {
                for (std::int64_t c0 = 0; c0 < cols; c0 += piece) {
                    if (cancelled(options_)) throw ReadCancelled();
                    const std::int64_t c1 = std::min(cols, c0 + piece);
                    reader.readRow(r, c0, c1, row.data());
                    const double* v = row.data();
                    if (options_.cells && identity) {
                        std::copy(v, v + (c1 - c0), out_.mean.values.begin() + o * cols + c0);
                        std::copy(v, v + (c1 - c0), out_.maxAbs.values.begin() + o * cols + c0);
                    } else if (options_.cells) {
                        accumulateBlocks(v, c0, c1, sum, best, bestAbs, hasNan, cb);
                    }
                    scan(v, c1 - c0, band);
                }
            }
            if (!options_.cells || identity) continue;
            const std::int64_t rowsInBlock = r1 - r0;
            for (std::int64_t j = 0; j < outCols; ++j) {
                const std::int64_t c0 = j * cb, c1 = std::min(cols, c0 + cb);
                const std::size_t at = std::size_t(o * outCols + j);
                const bool bad = hasNan[std::size_t(j)];
                out_.mean.values[at] =
                    bad ? NAN : sum[std::size_t(j)] / double(rowsInBlock * (c1 - c0));
                out_.maxAbs.values[at] = bad ? NAN : best[std::size_t(j)];
            }
        }
    }

    // Same order of additions and comparisons as reduceForDisplay: rows of a block in order,
    // each row's columns in order. row holds columns [c0, c1).
    static void accumulateBlocks(const double* row, std::int64_t c0, std::int64_t c1,
                                 std::vector<double>& sum, std::vector<double>& best,
                                 std::vector<double>& bestAbs, std::vector<char>& hasNan,
                                 std::int64_t cb) {
        for (std::int64_t j = c0 / cb; j * cb < c1; ++j) {
            const std::int64_t from = std::max(c0, j * cb), to = std::min(c1, (j + 1) * cb);
            double s = sum[std::size_t(j)], b = best[std::size_t(j)], ba = bestAbs[std::size_t(j)];
            bool bad = false;
            for (std::int64_t c = from; c < to; ++c) {
                const double v = row[c - c0];
                s += v;
                // Branch-free: a new block maximum is unpredictable, a mispredict per element
                // would cost more than the rest of the loop.
                const double a = std::fabs(v);
                const bool larger = a > ba;
                ba = larger ? a : ba;
                b = larger ? v : b;
                bad |= v != v;
            }
            sum[std::size_t(j)] = s;
            best[std::size_t(j)] = b;
            bestAbs[std::size_t(j)] = ba;
            if (bad) hasNan[std::size_t(j)] = 1;
        }
    }

    void scan(const double* row, std::int64_t n, Band& band) const {
        // Two tight loops: the common all-finite piece never takes a branch in the first, and
        // the magnitude histogram (the costly part) only runs when a range is wanted.
        double maxAbs = band.maxAbs;
        std::int64_t nonFinite = 0;
        for (std::int64_t i = 0; i < n; ++i) {
            const double a = std::fabs(row[i]);
            const bool finite = a <= DBL_MAX;
            nonFinite += !finite;
            maxAbs = finite && a > maxAbs ? a : maxAbs;
        }
        band.maxAbs = maxAbs;
        if (options_.range) {
            for (std::int64_t i = 0; i < n; ++i) {
                const double a = std::fabs(row[i]);
                if (!(a <= DBL_MAX)) continue;
                band.magnitudes.add(a);
                if (exact_) band.exact.push_back(a);
            }
        }
        if (nonFinite == 0) return;
        for (std::int64_t i = 0; i < n; ++i) {
            const double v = row[i];
            if (v != v)
                ++band.nan;
            else if (v > DBL_MAX)
                ++band.posInf;
            else if (v < -DBL_MAX)
                ++band.negInf;
        }
    }

    const Tensor& tensor_;
    const ElementGrid& grid_;
    PreparedHeatmap& out_;
    const PrepareOptions& options_;
    const bool exact_;
};

}  // namespace

ReducedMatrix PreparedHeatmap::reduced(BlockReduction mode) const {
    ReducedMatrix r;
    r.matrix = mode == BlockReduction::MaxAbs ? maxAbs : mean;
    r.rowBlock = rowBlock;
    r.colBlock = colBlock;
    return r;
}

PreparedHeatmap prepareHeatmap(const Tensor& tensor, const ElementGrid& grid, std::int64_t maxRows,
                               std::int64_t maxCols, const PrepareOptions& options) {
    PreparedHeatmap out;
    out.rows = grid.rows();
    out.cols = grid.cols();
    if (out.rows == 0 || out.cols == 0) {
        out.rows = out.cols = 0;
        return out;
    }
    maxRows = std::max<std::int64_t>(maxRows, 1);
    maxCols = std::max<std::int64_t>(maxCols, 1);
    if (out.rows > maxRows || out.cols > maxCols) {
        out.rowBlock = (out.rows + maxRows - 1) / maxRows;
        out.colBlock = (out.cols + maxCols - 1) / maxCols;
    }
    const std::int64_t outRows = (out.rows + out.rowBlock - 1) / out.rowBlock;
    const std::int64_t outCols = (out.cols + out.colBlock - 1) / out.colBlock;
    if (options.cells) {
        for (Matrix2D* m : {&out.mean, &out.maxAbs}) {
            m->rows = outRows;
            m->cols = outCols;
            m->values.assign(std::size_t(outRows * outCols), 0.0);
        }
    }
    const bool exact = out.rows * out.cols <= kExactPercentileElements;
    // Bands of whole output rows, so every cell is summed by one thread in the usual order.
    const std::int64_t threads = std::clamp<std::int64_t>(options.threads, 1, outRows);
    std::vector<Band> bands(static_cast<std::size_t>(threads));
    for (std::int64_t t = 0; t < threads; ++t) {
        bands[std::size_t(t)].outRow0 = outRows * t / threads;
        bands[std::size_t(t)].outRow1 = outRows * (t + 1) / threads;
    }
    Preparer preparer(tensor, grid, out, options, exact);
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < bands.size(); ++t)
        workers.emplace_back([&preparer, &bands, t] { preparer.run(bands[t]); });
    preparer.run(bands[0]);
    for (std::thread& w : workers) w.join();

    MagnitudeHistogram magnitudes;
    std::vector<double> mags;
    for (Band& b : bands) {
        if (b.error) std::rethrow_exception(b.error);
        out.nan += b.nan;
        out.posInf += b.posInf;
        out.negInf += b.negInf;
        out.range.maxAbs = std::max(out.range.maxAbs, b.maxAbs);
        if (!options.range) continue;
        magnitudes.merge(b.magnitudes);
        mags.insert(mags.end(), b.exact.begin(), b.exact.end());
    }
    if (!options.range) return out;
    const double p = std::max(options.clipPercentile, 0.0);
    out.range.clipExact = exact;
    if (exact && !mags.empty() && p < 100) {
        // Nearest rank, exactly as symmetricRange() computes it.
        std::size_t rank = std::size_t(std::ceil(p / 100.0 * double(mags.size())));
        rank = std::clamp<std::size_t>(rank, 1, mags.size());
        std::nth_element(mags.begin(), mags.begin() + std::ptrdiff_t(rank - 1), mags.end());
        out.range.clipAbs = mags[rank - 1];
    } else {
        out.range.clipAbs = magnitudes.percentile(p, out.range.maxAbs);
    }
    return out;
}

ColourRange tensorColourRange(const Tensor& tensor, const PrepareOptions& options) {
    PrepareOptions o = options;
    o.cells = false;
    o.range = true;
    const ElementGrid grid = wholeTensorGrid(tensor);
    return prepareHeatmap(tensor, grid, grid.rows(), grid.cols(), o).range;
}

}  // namespace ws
