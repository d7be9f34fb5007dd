// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/top_differences.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "stats/element_grid.h"

namespace ws::compare {

namespace {

// Ranks a before b: larger difference first, then the lower index.
bool ranksBefore(const ElementDifference& x, const ElementDifference& y) {
    if (x.absDiff != y.absDiff) return x.absDiff > y.absDiff;
    return x.flatIndex < y.flatIndex;
}

std::vector<std::int64_t> unravel(std::int64_t flat, const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> index(shape.size(), 0);
    for (std::size_t i = shape.size(); i-- > 0;) {
        if (shape[i] <= 0) continue;
        index[i] = flat % shape[i];
        flat /= shape[i];
    }
    return index;
}

}  // namespace

std::vector<ElementDifference> largestDifferences(const Tensor& a, const Tensor& b, std::size_t k,
                                                  const std::atomic<bool>* cancel) {
    if (a.shape != b.shape)
        throw std::invalid_argument("shapes differ: " + shapeToString(a.shape) + " vs " +
                                    shapeToString(b.shape));
    std::vector<ElementDifference> best;  // a heap whose top is the weakest of the best k
    if (k == 0) return best;
    const ElementGrid gridA = wholeTensorGrid(a), gridB = wholeTensorGrid(b);
    const GridReader readA(a, gridA), readB(b, gridB);
    // Row by row in pieces, as compareTensors reads: neither tensor is ever held whole.
    const std::int64_t cols = gridA.cols();
    const std::int64_t piece = std::max<std::int64_t>(1, std::min<std::int64_t>(cols, 1 << 16));
    std::vector<double> va(static_cast<std::size_t>(piece)), vb(va.size());
    for (std::int64_t r = 0; r < gridA.rows(); ++r)
        for (std::int64_t c0 = 0; c0 < cols; c0 += piece) {
            if (cancel && cancel->load(std::memory_order_relaxed)) throw ReadCancelled();
            const std::int64_t c1 = std::min(cols, c0 + piece);
            readA.readRow(r, c0, c1, va.data());
            readB.readRow(r, c0, c1, vb.data());
            for (std::int64_t c = c0; c < c1; ++c) {
                const double x = va[std::size_t(c - c0)], y = vb[std::size_t(c - c0)];
                if (std::memcmp(&x, &y, sizeof(double)) == 0) continue;
                const double d = std::isfinite(x) && std::isfinite(y)
                                     ? std::fabs(x - y)
                                     : std::numeric_limits<double>::infinity();
                ElementDifference e;
                e.flatIndex = r * cols + c;
                e.a = x;
                e.b = y;
                e.absDiff = d;
                if (best.size() < k) {
                    best.push_back(e);
                    std::push_heap(best.begin(), best.end(), ranksBefore);
                } else if (ranksBefore(e, best.front())) {
                    std::pop_heap(best.begin(), best.end(), ranksBefore);
                    best.back() = e;
                    std::push_heap(best.begin(), best.end(), ranksBefore);
                }
            }
        }
    std::sort(best.begin(), best.end(), ranksBefore);
    for (ElementDifference& e : best) e.index = unravel(e.flatIndex, a.shape);
    return best;
}

}  // namespace ws::compare
