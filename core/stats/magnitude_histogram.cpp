// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/magnitude_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ws {

namespace {

constexpr int kDroppedBits = 15;  // of float32's 23 mantissa bits, 8 are kept
constexpr std::uint32_t kInfinityBin = 0x7F800000u >> kDroppedBits;

}  // namespace

MagnitudeHistogram::MagnitudeHistogram() : counts_(kInfinityBin + 1, 0) {}

std::uint32_t MagnitudeHistogram::binOf(double a) {
    const float f = float(a);  // beyond float32's range: +inf, the last bin
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    return std::min(bits >> kDroppedBits, kInfinityBin);
}

void MagnitudeHistogram::merge(const MagnitudeHistogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
}

std::uint64_t MagnitudeHistogram::total() const {
    std::uint64_t n = 0;
    for (std::uint64_t c : counts_) n += c;
    return n;
}

double MagnitudeHistogram::percentile(double percentile, double maxAbs) const {
    const std::uint64_t n = total();
    if (n == 0) return 0;
    if (percentile >= 100) return maxAbs;
    percentile = std::max(percentile, 0.0);
    std::uint64_t rank = std::uint64_t(std::ceil(percentile / 100.0 * double(n)));
    rank = std::clamp<std::uint64_t>(rank, 1, n);
    std::uint64_t seen = 0;
    for (std::uint32_t bin = 0; bin < counts_.size(); ++bin) {
        seen += counts_[bin];
        if (seen < rank) continue;
        if (bin >= kInfinityBin) return maxAbs;
        const std::uint32_t upperBits = (bin + 1) << kDroppedBits;
        float upper;
        std::memcpy(&upper, &upperBits, sizeof upper);
        return std::min(double(upper), maxAbs);
    }
    return maxAbs;
}

}  // namespace ws
