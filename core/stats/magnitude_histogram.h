// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A streaming estimate of a percentile of |x| for tensors too large to sort: counts of |x| in
// logarithmic bins. The bins are the top 16 bits of |x| as a float32 (8 exponent bits, 8
// mantissa bits), so every bin is at most 2^-8 (0.4 %) wide relative to its values. The estimate
// is the upper edge of the bin holding the nearest-rank element, capped at the largest |x|:
// never below the exact percentile and at most 0.4 % above it (|x| below float32's smallest
// normal share the lowest bins; |x| beyond float32's range share the last one).
#include <cstdint>
#include <vector>

namespace ws {

class MagnitudeHistogram {
  public:
    MagnitudeHistogram();
    // a must be finite and >= 0.
    void add(double a) { ++counts_[binOf(a)]; }
    void merge(const MagnitudeHistogram& other);
    std::uint64_t total() const;
    // percentile in [0, 100]; maxAbs is the exact largest |x| seen. 0 when empty.
    double percentile(double percentile, double maxAbs) const;

    static std::uint32_t binOf(double a);

  private:
    std::vector<std::uint64_t> counts_;
};

}  // namespace ws
