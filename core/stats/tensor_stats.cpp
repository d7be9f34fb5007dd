// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/tensor_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "io/tensor_chunks.h"

namespace ws {

// Elements decoded per piece when a tensor's bytes must be read (not in memory): 8 MB of
// doubles. A multiple of the accumulator's block, so every path sums the same blocks.
constexpr std::int64_t kChunkElements = 1 << 20;
static_assert(kChunkElements % StatsAccumulator::kBlockElements == 0, "pieces hold whole blocks");

void StatsAccumulator::add(double v) {
    ++s_.count;
    if (std::isnan(v)) {
        ++s_.nan;
        return;
    }
    if (std::isinf(v)) {
        ++s_.inf;
        return;
    }
    if (v == 0) ++s_.zeros;
    ++s_.finite;
    if (s_.finite == 1) {
        s_.min = s_.max = v;
        s_.mean = 0;
    } else {
        s_.min = std::min(s_.min, v);
        s_.max = std::max(s_.max, v);
    }
    // Both sums are kept relative to the largest magnitude seen so far (LAPACK's scaled sum of
    // squares): squares of values near DBL_MAX would otherwise overflow to infinity.
    const double a = std::fabs(v);
    if (a > scale_) {
        const double shrink = scale_ / a;
        ssq_ = 1 + ssq_ * shrink * shrink;
        m2_ *= shrink * shrink;
        scale_ = a;
    } else if (a > 0) {
        ssq_ += (a / scale_) * (a / scale_);
    }
    if (scale_ == 0) return;  // only zeros so far: mean and variance are still 0
    // Welford: the mean moves by a fraction of the difference; m2 gains the product of the old
    // and new deviations, which stays accurate where sum(x^2) - n*mean^2 would cancel.
    const double n = double(s_.finite);
    const double before = v / scale_ - s_.mean / scale_;
    s_.mean += v / n - s_.mean / n;
    m2_ += before * (v / scale_ - s_.mean / scale_);
}

void StatsAccumulator::add(const double* values, std::size_t count) {
    for (std::size_t i = 0; i < count; i += kBlockElements)
        addBlock(values + i, std::min(kBlockElements, count - i));
}

void StatsAccumulator::addBlock(const double* v, std::size_t n) {
    if (n == 0) return;
    // Pass 1: range, zeros, largest magnitude, and whether every value is finite.
    double lo = v[0], hi = v[0], big = 0;
    std::uint64_t zeros = 0;
    bool finite = true;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = v[i], a = std::fabs(x);
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        big = a > big ? a : big;
        zeros += x == 0;
        finite &= a <= std::numeric_limits<double>::max();  // false for NaN and +-Inf
    }
    // Non-finite values must be counted and skipped one by one; a largest magnitude below
    // DBL_MIN has no finite reciprocal to scale by. Both are rare enough for the slow way.
    const double newScale = std::max(big, scale_);
    if (!finite || (newScale > 0 && newScale < std::numeric_limits<double>::min())) {
        for (std::size_t i = 0; i < n; ++i) add(v[i]);
        return;
    }
    s_.count += n;
    s_.zeros += zeros;
    const double countBefore = double(s_.finite);
    if (s_.finite == 0) {
        s_.min = lo;
        s_.max = hi;
        s_.mean = 0;
    } else {
        s_.min = std::min(s_.min, lo);
        s_.max = std::max(s_.max, hi);
    }
    s_.finite += n;
    // Sums stay relative to the largest magnitude so far (see add(double)).
    if (big > scale_) {
        const double shrink = scale_ / big;
        ssq_ *= shrink * shrink;
        m2_ *= shrink * shrink;
        scale_ = big;
    }
    if (scale_ == 0) return;  // only zeros so far: mean and variance are still 0
    const double inv = 1 / scale_;
    // Pass 2: the block's scaled sum and sum of squares; four partial sums so the additions
    // need not wait for each other.
    double sum[4] = {0, 0, 0, 0}, sq[4] = {0, 0, 0, 0};
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; ++k) {
            const double y = v[i + k] * inv;
            sum[k] += y;
            sq[k] += y * y;
        }
    for (; i < n; ++i) {
        const double y = v[i] * inv;
        sum[0] += y;
        sq[0] += y * y;
    }
    const double blockMean = ((sum[0] + sum[1]) + (sum[2] + sum[3])) / double(n);
    // Pass 3: squared deviations from the block's own mean (two-pass: no cancellation).
    double dev[4] = {0, 0, 0, 0};
    for (i = 0; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; ++k) {
            const double d = v[i + k] * inv - blockMean;
            dev[k] += d * d;
        }
    for (; i < n; ++i) {
        const double d = v[i] * inv - blockMean;
        dev[0] += d * d;
    }
    // Merge with what came before (Chan, Golub and LeVeque's pairwise update).
    const double blockCount = double(n), total = countBefore + blockCount;
    const double meanBefore = s_.mean * inv;
    const double delta = blockMean - meanBefore;
    m2_ += ((dev[0] + dev[1]) + (dev[2] + dev[3])) +
           delta * delta * (countBefore * (blockCount / total));
    ssq_ += (sq[0] + sq[1]) + (sq[2] + sq[3]);
    s_.mean = (meanBefore + delta * (blockCount / total)) * scale_;
}

TensorStats StatsAccumulator::result() const {
    TensorStats out = s_;
    if (out.finite > 0) out.std = scale_ * std::sqrt(std::max(0.0, m2_ / double(out.finite)));
    out.l2 = scale_ > 0 ? scale_ * std::sqrt(ssq_) : 0;
    return out;
}

TensorStats computeStats(const std::vector<double>& values) {
    StatsAccumulator acc;
    acc.add(values);
    return acc.result();
}

TensorStats computeStats(const Tensor& tensor) {
    StatsAccumulator acc;
    const auto add = [&](const std::vector<double>& values) { acc.add(values); };
    // Bytes already in memory (mmap) are decoded a block at a time, so each block is still in
    // the CPU cache for the accumulator's passes over it; others are read in larger pieces.
    if (!forEachInMemoryChunkAsDoubles(tensor, StatsAccumulator::kBlockElements, add))
        forEachTensorChunkAsDoubles(tensor, kChunkElements, add);
    return acc.result();
}

Histogram computeHistogram(const std::vector<double>& values, int bins) {
    Histogram h;
    h.counts.assign(std::size_t(std::max(bins, 1)), 0);
    bool any = false;
    for (double v : values) {
        if (!std::isfinite(v)) {
            ++h.nonFinite;
            continue;
        }
        h.lo = any ? std::min(h.lo, v) : v;
        h.hi = any ? std::max(h.hi, v) : v;
        any = true;
    }
    if (!any) return h;
    if (h.lo == h.hi) {
        h.lo -= 0.5;
        h.hi += 0.5;
    }
    const double n = double(h.counts.size());
    // Halved so that a range from -DBL_MAX to DBL_MAX does not overflow to infinity.
    const double halfWidth = h.hi / 2 - h.lo / 2;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        const double pos = (v / 2 - h.lo / 2) / halfWidth * n;
        std::size_t bin = pos <= 0 ? 0 : std::size_t(pos);
        if (bin >= h.counts.size()) bin = h.counts.size() - 1;  // the maximum goes in the last bin
        ++h.counts[bin];
    }
    return h;
}

}  // namespace ws
