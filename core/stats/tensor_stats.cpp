#include "stats/tensor_stats.h"

#include <algorithm>
#include <cmath>

#include "io/tensor_chunks.h"

namespace ws {

// Elements decoded per piece when reading a tensor: 8 MB of doubles.
constexpr std::int64_t kChunkElements = 1 << 20;

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
    forEachTensorChunkAsDoubles(tensor, kChunkElements,
                                [&](const std::vector<double>& values) { acc.add(values); });
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
