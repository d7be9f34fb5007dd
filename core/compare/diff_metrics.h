// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How far tensor A is from tensor B, element by element, accumulated in one streaming pass so
// that comparing two large models never holds more than a piece of each tensor:
//
//   max |A-B|           the largest absolute element difference
//   relative Frobenius  ||A-B||_F / ||B||_F   (B is the reference; 0 when both are all zero,
//                       +inf when only A has non-zero elements)
//   cosine similarity   <A,B> / (||A||_F ||B||_F)   (1 when both are all zero, 0 when exactly
//                       one is)
//   identical           every element pair has the same bits once both are widened to double
//                       (widening is exact, so this is bitwise equality of the aligned values;
//                       +0 and -0 differ, a NaN matches only the same NaN)
//
// Pairs where either element is NaN or +-Inf stay out of the sums and the maximum (they would
// turn every number into NaN/Inf) and are counted instead.
#include <atomic>
#include <cstdint>

#include "model/tensor.h"

namespace ws::compare {

struct DiffMetrics {
    std::uint64_t count = 0;      // element pairs seen
    std::uint64_t nonFinite = 0;  // pairs with a NaN or +-Inf on either side
    std::uint64_t differing = 0;  // pairs whose bits differ
    double maxAbsDiff = 0;
    double sumSqDiff = 0, sumSqA = 0, sumSqB = 0, dot = 0;

    bool identical() const { return differing == 0; }
    double relativeFrobenius() const;
    double cosine() const;

    // Values in lockstep: a[i] against b[i].
    void add(const double* a, const double* b, std::size_t n);
    // Everything `other` saw, as if it had been added here (layer totals over their tensors).
    void merge(const DiffMetrics& other);
};

// Streams both tensors (equal shapes; any dtype, byte order or strides) in pieces of at most
// `pieceElements` cells. Throws std::invalid_argument when the shapes differ, FormatError when
// a storage cannot deliver its bytes, ReadCancelled (stats/element_grid.h) when *cancel turns
// true.
DiffMetrics compareTensors(const Tensor& a, const Tensor& b,
                           const std::atomic<bool>* cancel = nullptr,
                           std::int64_t pieceElements = std::int64_t(1) << 16);

// A - B element by element as a float64 tensor of their shape, for display (one double per
// element: meant for the one tensor pair the user looks at, not for whole models). Throws
// ReadCancelled when *cancel turns true.
TensorPtr differenceTensor(const Tensor& a, const Tensor& b,
                           const std::atomic<bool>* cancel = nullptr);

}  // namespace ws::compare
