// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/tensor_distribution.h"

#include <algorithm>
#include <cmath>

#include "stats/element_grid.h"

namespace ws {

TensorStats streamStats(const Tensor& tensor, const std::atomic<bool>* cancel) {
    StatsAccumulator acc;
    forEachElementPiece(tensor, cancel, [&](const double* v, std::int64_t n) {
        for (std::int64_t i = 0; i < n; ++i) acc.add(v[i]);
    });
    return acc.result();
}

Histogram streamHistogram(const Tensor& tensor, int bins, const TensorStats& stats,
                          const std::atomic<bool>* cancel) {
    // Mirrors computeHistogram(): equal-width bins over [min, max] of the finite values, the
    // maximum in the last bin, all-equal values widened to a range of 1.
    Histogram h;
    h.counts.assign(std::size_t(std::max(bins, 1)), 0);
    h.nonFinite = stats.nan + stats.inf;
    if (stats.finite == 0) return h;
    h.lo = stats.min;
    h.hi = stats.max;
    if (h.lo == h.hi) {
        h.lo -= 0.5;
        h.hi += 0.5;
    }
    const double count = double(h.counts.size());
    const double halfWidth = h.hi / 2 - h.lo / 2;
    const double lo = h.lo;
    std::vector<std::uint64_t>& counts = h.counts;
    forEachElementPiece(tensor, cancel, [&](const double* v, std::int64_t n) {
        for (std::int64_t i = 0; i < n; ++i) {
            if (!std::isfinite(v[i])) continue;
            const double pos = (v[i] / 2 - lo / 2) / halfWidth * count;
            std::size_t bin = pos <= 0 ? 0 : std::size_t(pos);
            if (bin >= counts.size()) bin = counts.size() - 1;
            ++counts[bin];
        }
    });
    return h;
}

}  // namespace ws
