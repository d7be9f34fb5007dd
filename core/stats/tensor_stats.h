// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Summary statistics of a tensor's values, for `inspect --stats` and the GUI's tensor panel.
// NaN and infinities are counted but kept out of min/max/mean/std/L2, which would otherwise
// all become NaN or Inf and hide what the rest of the tensor looks like.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "model/tensor.h"

namespace ws {

struct TensorStats {
    std::uint64_t count = 0;   // all elements
    std::uint64_t finite = 0;  // elements that are neither NaN nor +-Inf
    std::uint64_t zeros = 0;
    std::uint64_t nan = 0;
    std::uint64_t inf = 0;
    // Over the finite elements; NaN when there are none.
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double mean = std::numeric_limits<double>::quiet_NaN();
    double std = std::numeric_limits<double>::quiet_NaN();  // population standard deviation
    double l2 = 0;                                          // sqrt(sum of squares)
};

// Streaming accumulation of mean/variance and sums of squares kept relative to the largest
// magnitude seen, so neither loses precision nor overflows on large or huge-valued tensors.
class StatsAccumulator {
  public:
    // Values are taken in blocks of this many (the last one may be shorter). Callers that feed
    // the same values in pieces get bit-identical results when every piece but the last is a
    // multiple of it.
    static constexpr std::size_t kBlockElements = 2048;

    // One value: Welford's update.
    void add(double v);
    // Values in blocks: a block without NaN/Inf is summed in a few branch-free passes and merged
    // (Chan et al.); one with NaN/Inf goes value by value.
    void add(const double* values, std::size_t count);
    void add(const std::vector<double>& values) { add(values.data(), values.size()); }
    TensorStats result() const;

  private:
    void addBlock(const double* v, std::size_t n);

    TensorStats s_;
    double scale_ = 0;  // largest |x| so far; both sums below are relative to it
    double m2_ = 0;     // sum of squared deviations from the running mean, / scale^2
    double ssq_ = 0;    // sum of x^2, / scale^2
};

TensorStats computeStats(const std::vector<double>& values);
// Reads the tensor in bounded pieces (it never needs a double for every element at once).
TensorStats computeStats(const Tensor& tensor);

struct Histogram {
    double lo = 0;  // left edge of the first bin
    double hi = 0;  // right edge of the last bin (included in it)
    std::vector<std::uint64_t> counts;
    std::uint64_t nonFinite = 0;  // NaN and +-Inf values, not in any bin
    double binWidth() const { return counts.empty() ? 0 : (hi - lo) / double(counts.size()); }
};

// `bins` equal-width bins over [min, max] of the finite values. All-equal values get a range of
// width 1 around the value so the one bar has somewhere to be; no finite values give zero counts.
Histogram computeHistogram(const std::vector<double>& values, int bins);

}  // namespace ws
