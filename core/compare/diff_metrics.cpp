// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/diff_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "io/byte_source.h"
#include "stats/element_grid.h"

namespace ws::compare {

double DiffMetrics::relativeFrobenius() const {
    if (sumSqB > 0) return std::sqrt(sumSqDiff) / std::sqrt(sumSqB);
    return sumSqDiff > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

double DiffMetrics::cosine() const {
    if (sumSqA > 0 && sumSqB > 0) return dot / (std::sqrt(sumSqA) * std::sqrt(sumSqB));
    return sumSqA == 0 && sumSqB == 0 ? 1.0 : 0.0;
}

void DiffMetrics::add(const double* a, const double* b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const double x = a[i], y = b[i];
        if (std::memcmp(&x, &y, sizeof(double)) != 0) ++differing;
        if (!std::isfinite(x) || !std::isfinite(y)) {
            ++nonFinite;
            continue;
        }
        const double d = x - y;
        maxAbsDiff = std::max(maxAbsDiff, std::fabs(d));
        sumSqDiff += d * d;
        sumSqA += x * x;
        sumSqB += y * y;
        dot += x * y;
    }
    count += n;
}

void DiffMetrics::merge(const DiffMetrics& o) {
    count += o.count;
    nonFinite += o.nonFinite;
    differing += o.differing;
    maxAbsDiff = std::max(maxAbsDiff, o.maxAbsDiff);
    sumSqDiff += o.sumSqDiff;
    sumSqA += o.sumSqA;
    sumSqB += o.sumSqB;
    dot += o.dot;
}

namespace {

void requireSameShape(const Tensor& a, const Tensor& b) {
    if (a.shape != b.shape)
        throw std::invalid_argument("shapes differ: " + shapeToString(a.shape) + " vs " +
                                    shapeToString(b.shape));
}

// Both tensors row by row (rows = leading axes, columns = last axis) in pieces of a row, read
// straight from their storages (stats/element_grid.h), so neither is ever held whole.
template <typename Fn>
void forEachPiecePair(const Tensor& a, const Tensor& b, const std::atomic<bool>* cancel,
                      std::int64_t pieceElements, Fn fn) {
    requireSameShape(a, b);
    const ElementGrid gridA = wholeTensorGrid(a), gridB = wholeTensorGrid(b);
    const GridReader readA(a, gridA), readB(b, gridB);
    const std::int64_t piece = std::max<std::int64_t>(1, std::min(gridA.cols(), pieceElements));
    std::vector<double> va(static_cast<std::size_t>(piece)), vb(va.size());
    for (std::int64_t r = 0; r < gridA.rows(); ++r)
        for (std::int64_t c0 = 0; c0 < gridA.cols(); c0 += piece) {
            if (cancel && cancel->load(std::memory_order_relaxed)) throw ReadCancelled();
            const std::int64_t c1 = std::min(gridA.cols(), c0 + piece);
            readA.readRow(r, c0, c1, va.data());
            readB.readRow(r, c0, c1, vb.data());
            fn(va.data(), vb.data(), std::size_t(c1 - c0));
        }
}

}  // namespace

DiffMetrics compareTensors(const Tensor& a, const Tensor& b, const std::atomic<bool>* cancel,
                           std::int64_t pieceElements) {
    DiffMetrics m;
    forEachPiecePair(a, b, cancel, pieceElements,
                     [&](const double* x, const double* y, std::size_t n) { m.add(x, y, n); });
    return m;
}

TensorPtr differenceTensor(const Tensor& a, const Tensor& b, const std::atomic<bool>* cancel) {
    requireSameShape(a, b);
    std::vector<std::uint8_t> bytes(std::size_t(a.numel()) * sizeof(double));
    std::size_t at = 0;
    forEachPiecePair(a, b, cancel, std::int64_t(1) << 16,
                     [&](const double* x, const double* y, std::size_t n) {
                         for (std::size_t i = 0; i < n; ++i, at += sizeof(double)) {
                             const double d = x[i] - y[i];
                             std::memcpy(bytes.data() + at, &d, sizeof(double));
                         }
                     });
    auto t = std::make_shared<Tensor>();
    t->dtype = DType::F64;
    t->shape = a.shape;
    t->storage = std::make_shared<MemoryByteSource>(std::move(bytes));
    return t;
}

}  // namespace ws::compare
