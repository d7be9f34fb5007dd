// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The element pairs of two tensors that differ most: what "compare" shows to lead the user to
// the difference (a single edited weight among millions, with its index and both values).
#include <atomic>
#include <cstdint>
#include <vector>

#include "model/tensor.h"

namespace ws::compare {

struct ElementDifference {
    std::int64_t flatIndex = 0;       // row-major position in the (common) shape
    std::vector<std::int64_t> index;  // the same as one index per axis
    double a = 0, b = 0;              // both values, widened to double
    double absDiff = 0;               // |a - b|; +inf when either is NaN or +-Inf
};

// The k pairs with the largest |A - B|, largest first (ties: lower index first). Only pairs
// whose bits differ count, so identical tensors give none, and a pair with a NaN or an
// infinity (not measurable, but a difference) ranks above every finite one. Streams both
// tensors (equal shapes, any dtype or layout) like compareTensors; throws std::invalid_argument
// when the shapes differ, ReadCancelled when *cancel turns true.
std::vector<ElementDifference> largestDifferences(const Tensor& a, const Tensor& b, std::size_t k,
                                                  const std::atomic<bool>* cancel = nullptr);

}  // namespace ws::compare
