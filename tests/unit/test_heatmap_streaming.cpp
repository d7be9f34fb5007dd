// SPDX-License-Identifier: GPL-3.0-or-later
// The streaming heatmap preparation (cells read straight from storage, reduced in one pass)
// against the in-memory definitions it replaces: extractSlice/tileGrid + reduceForDisplay +
// symmetricRange on Tensor::toDoubles(), and computeStats/computeHistogram for the histogram tab.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "model/half.h"
#include "stats/element_grid.h"
#include "stats/heatmap_preparation.h"
#include "stats/magnitude_histogram.h"
#include "stats/tensor_distribution.h"

using namespace ws;

namespace {

// Bytes that are not in memory: forces GridReader through ByteSource::read.
class ReadOnlySource : public ByteSource {
  public:
    explicit ReadOnlySource(std::vector<std::uint8_t> b) : bytes_(std::move(b)) {}
    std::uint64_t size() const override { return bytes_.size(); }
    void read(std::uint64_t offset, void* dst, std::size_t n) const override {
        ASSERT_LE(offset + n, bytes_.size());
        std::memcpy(dst, bytes_.data() + offset, n);
    }

  private:
    std::vector<std::uint8_t> bytes_;
};

std::vector<float> randomFloats(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 0.05f);
    std::vector<float> v(n);
    for (float& x : v) x = dist(rng);
    return v;
}

Tensor f32Tensor(const std::vector<float>& values, std::vector<std::int64_t> shape, bool mapped) {
    std::vector<std::uint8_t> bytes(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
    Tensor t;
    t.dtype = DType::F32;
    t.shape = std::move(shape);
    if (mapped)
        t.storage = std::make_shared<MemoryByteSource>(std::move(bytes));
    else
        t.storage = std::make_shared<ReadOnlySource>(std::move(bytes));
    return t;
}

// Equal to the last bit, NaN equal to NaN.
void expectSameCells(const Matrix2D& got, const Matrix2D& want) {
    ASSERT_EQ(got.rows, want.rows);
    ASSERT_EQ(got.cols, want.cols);
    for (std::size_t i = 0; i < want.values.size(); ++i) {
        if (std::isnan(want.values[i])) {
            EXPECT_TRUE(std::isnan(got.values[i])) << i;
        } else {
            EXPECT_EQ(got.values[i], want.values[i]) << i;
        }
    }
}

void expectMatchesInMemory(const Tensor& t, const SliceSpec& spec, std::int64_t maxRows,
                           std::int64_t maxCols, int threads) {
    const Matrix2D full = extractSlice(t.toDoubles(), t.shape, spec);
    PrepareOptions o;
    o.threads = threads;
    const PreparedHeatmap p = prepareHeatmap(t, sliceGrid(t, spec), maxRows, maxCols, o);
    EXPECT_EQ(p.rows, full.rows);
    EXPECT_EQ(p.cols, full.cols);
    for (BlockReduction mode : {BlockReduction::Mean, BlockReduction::MaxAbs}) {
        const ReducedMatrix want = reduceForDisplay(full, maxRows, maxCols, mode);
        const ReducedMatrix got = p.reduced(mode);
        EXPECT_EQ(got.rowBlock, want.rowBlock);
        EXPECT_EQ(got.colBlock, want.colBlock);
        expectSameCells(got.matrix, want.matrix);
    }
    EXPECT_EQ(p.range.maxAbs, symmetricRange(full.values, 100));
    EXPECT_EQ(p.range.clipAbs, symmetricRange(full.values, 99));
}

}  // namespace

TEST(HeatmapReductionStreaming, EqualsInMemoryReductionWithNaNAndInfinities) {
    std::vector<float> v = randomFloats(37 * 53, 1);
    v[5] = std::numeric_limits<float>::quiet_NaN();
    v[200] = std::numeric_limits<float>::infinity();
    v[201] = -std::numeric_limits<float>::infinity();
    v[37 * 53 - 1] = -std::numeric_limits<float>::infinity();
    for (bool mapped : {true, false}) {
        const Tensor t = f32Tensor(v, {37, 53}, mapped);
        for (int threads : {1, 3})
            for (auto [r, c] : {std::pair{100, 100}, {10, 10}, {4, 53}, {1, 7}, {36, 52}})
                expectMatchesInMemory(t, defaultSlice(t.shape), r, c, threads);
        const PreparedHeatmap p = prepareHeatmap(t, sliceGrid(t, defaultSlice(t.shape)), 8, 8);
        EXPECT_EQ(p.nan, 1u);
        EXPECT_EQ(p.posInf, 1u);
        EXPECT_EQ(p.negInf, 2u);
    }
}

TEST(HeatmapReductionStreaming, SlicesOfStridedViewsAndOtherDtypes) {
    // A (4, 5, 6) view with permuted strides and an offset into a larger storage.
    const std::vector<float> storage = randomFloats(1000, 2);
    for (bool mapped : {true, false}) {
        Tensor t = f32Tensor(storage, {4, 5, 6}, mapped);
        t.strides = {1, 4 * 6, 4};
        t.storageOffset = 17;
        for (const SliceSpec& spec : {defaultSlice(t.shape), SliceSpec{2, 0, {0, 3, 0}},
                                      SliceSpec{-1, 1, {2, 0, 5}}, SliceSpec{0, 2, {0, 4, 0}}})
            expectMatchesInMemory(t, spec, 3, 2, 2);
    }
    // Big-endian f64 and f16 go through the per-element decoder.
    std::vector<std::uint8_t> be(8 * 30), half(2 * 30);
    for (int i = 0; i < 30; ++i) {
        const double x = (i - 15) * 0.125;
        std::uint8_t b[8];
        std::memcpy(b, &x, 8);
        for (int k = 0; k < 8; ++k) be[std::size_t(i * 8 + k)] = b[7 - k];
        const std::uint16_t h = floatToHalf(float(x));
        std::memcpy(&half[std::size_t(i * 2)], &h, 2);
    }
    Tensor f64;
    f64.dtype = DType::F64;
    f64.shape = {5, 6};
    f64.bigEndian = true;
    f64.storage = std::make_shared<MemoryByteSource>(be);
    expectMatchesInMemory(f64, defaultSlice(f64.shape), 2, 4, 1);
    Tensor f16;
    f16.dtype = DType::F16;
    f16.shape = {30};
    f16.storage = std::make_shared<ReadOnlySource>(half);
    expectMatchesInMemory(f16, defaultSlice(f16.shape), 1, 7, 1);
}

TEST(HeatmapReductionStreaming, KernelTilesAndLongRows) {
    const std::vector<float> v = randomFloats(6 * 5 * 3 * 3, 3);
    for (bool keras : {false, true}) {
        const Tensor t = f32Tensor(
            v,
            keras ? std::vector<std::int64_t>{3, 3, 5, 6} : std::vector<std::int64_t>{6, 5, 3, 3},
            false);
        KernelLayout layout;
        ASSERT_TRUE(kernelLayoutFor(t.shape, keras, &layout));
        const Matrix2D want = tileGrid(t.toDoubles(), t.shape, layout);
        const PreparedHeatmap p = prepareHeatmap(t, kernelTileGrid(t, layout), 100, 100);
        expectSameCells(p.mean, want);
    }
    // A 1-D strip longer than one read piece (65536 cells), reduced across piece boundaries.
    const Tensor strip = f32Tensor(randomFloats(200003, 4), {200003}, true);
    expectMatchesInMemory(strip, defaultSlice(strip.shape), 1, 333, 2);
}

TEST(HeatmapReductionStreaming, WholeTensorRangeAndEstimatedPercentile) {
    // Above kExactPercentileElements the clip is MagnitudeHistogram's estimate: never below the
    // exact nearest-rank percentile, at most 2^-8 above it.
    const std::vector<float> v = randomFloats(1200 * 1000, 5);
    const Tensor t = f32Tensor(v, {2, 600, 1000}, true);
    PrepareOptions o;
    o.threads = 2;
    const ColourRange range = tensorColourRange(t, o);
    const std::vector<double> all = t.toDoubles();
    const double exact = symmetricRange(all, 99);
    EXPECT_FALSE(range.clipExact);
    EXPECT_EQ(range.maxAbs, symmetricRange(all, 100));
    EXPECT_GE(range.clipAbs, exact);
    EXPECT_LE(range.clipAbs, exact * (1 + 1.0 / 256));
    // Small enough: exact.
    const Tensor small =
        f32Tensor(std::vector<float>(v.begin(), v.begin() + 5000), {50, 100}, true);
    const ColourRange smallRange = tensorColourRange(small);
    EXPECT_TRUE(smallRange.clipExact);
    EXPECT_EQ(smallRange.clipAbs, symmetricRange(small.toDoubles(), 99));
}

TEST(HeatmapReductionStreaming, CancelStopsTheRead) {
    const Tensor t = f32Tensor(randomFloats(512 * 512, 6), {512, 512}, true);
    std::atomic<bool> cancel{true};
    PrepareOptions o;
    o.cancel = &cancel;
    EXPECT_THROW(prepareHeatmap(t, sliceGrid(t, defaultSlice(t.shape)), 64, 64, o), ReadCancelled);
    EXPECT_THROW(streamStats(t, &cancel), ReadCancelled);
}

TEST(HeatmapReductionStreaming, StreamedStatisticsAndHistogramEqualInMemoryOnes) {
    std::vector<float> v = randomFloats(70000, 7);
    v[3] = std::numeric_limits<float>::quiet_NaN();
    v[9] = std::numeric_limits<float>::infinity();
    v[11] = 0;
    const Tensor t = f32Tensor(v, {70000}, false);
    const std::vector<double> all = t.toDoubles();
    const TensorStats want = computeStats(all), got = streamStats(t);
    EXPECT_EQ(got.count, want.count);
    EXPECT_EQ(got.nan, want.nan);
    EXPECT_EQ(got.inf, want.inf);
    EXPECT_EQ(got.zeros, want.zeros);
    EXPECT_EQ(got.min, want.min);
    EXPECT_EQ(got.max, want.max);
    // Summation order may differ from computeStats's: equal to rounding.
    EXPECT_NEAR(got.mean, want.mean, 1e-12 * std::fabs(want.mean));
    EXPECT_NEAR(got.std, want.std, 1e-12 * want.std);
    for (int bins : {1, 7, 100}) {
        const Histogram h = streamHistogram(t, bins, got), w = computeHistogram(all, bins);
        EXPECT_EQ(h.counts, w.counts);
        EXPECT_EQ(h.lo, w.lo);
        EXPECT_EQ(h.hi, w.hi);
        EXPECT_EQ(h.nonFinite, w.nonFinite);
    }
}

TEST(TensorSliceGrid, RejectsSpecsLikeExtractSlice) {
    const Tensor t = f32Tensor(randomFloats(24, 8), {2, 3, 4}, true);
    EXPECT_THROW(sliceGrid(t, SliceSpec{1, 1, {0, 0, 0}}), std::invalid_argument);
    EXPECT_THROW(sliceGrid(t, SliceSpec{1, 3, {0, 0, 0}}), std::invalid_argument);
    EXPECT_THROW(sliceGrid(t, SliceSpec{1, 2, {2, 0, 0}}), std::invalid_argument);
    const ElementGrid whole = wholeTensorGrid(t);
    EXPECT_EQ(whole.rows(), 6);
    EXPECT_EQ(whole.cols(), 4);
    EXPECT_EQ(MagnitudeHistogram::binOf(0.0), 0u);
}
