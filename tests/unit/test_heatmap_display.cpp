// SPDX-License-Identifier: GPL-3.0-or-later
// The Qt-free display helpers behind the heatmap: slices of N-D tensors, kernel tile grids,
// block reduction and the symmetric colour range.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "stats/heatmap_reduction.h"
#include "stats/tensor_slice.h"

using namespace ws;

namespace {

std::vector<double> iota(std::size_t n) {
    std::vector<double> v(n);
    std::iota(v.begin(), v.end(), 0.0);
    return v;
}

}  // namespace

TEST(TensorSlice, DefaultShowsLastTwoAxesAndOneDimensionalAsARow) {
    const SliceSpec s3 = defaultSlice({2, 3, 4});
    EXPECT_EQ(s3.rowAxis, 1);
    EXPECT_EQ(s3.colAxis, 2);
    const SliceSpec s1 = defaultSlice({5});
    EXPECT_EQ(s1.rowAxis, -1);
    EXPECT_EQ(s1.colAxis, 0);
    const Matrix2D strip = extractSlice(iota(5), {5}, s1);
    EXPECT_EQ(strip.rows, 1);
    EXPECT_EQ(strip.cols, 5);
    EXPECT_EQ(strip.at(0, 3), 3.0);
    const Matrix2D scalar = extractSlice({7.5}, {}, defaultSlice({}));
    EXPECT_EQ(scalar.rows * scalar.cols, 1);
    EXPECT_EQ(scalar.at(0, 0), 7.5);
}

TEST(TensorSlice, PicksAnyTwoAxesAtFixedIndices) {
    // value = 100*a + 10*b + c for shape (2, 3, 4)
    std::vector<double> v;
    for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 3; ++b)
            for (int c = 0; c < 4; ++c) v.push_back(100 * a + 10 * b + c);
    const Matrix2D m = extractSlice(v, {2, 3, 4}, SliceSpec{2, 0, {0, 2, 0}});  // rows c, cols a
    ASSERT_EQ(m.rows, 4);
    ASSERT_EQ(m.cols, 2);
    for (int c = 0; c < 4; ++c)
        for (int a = 0; a < 2; ++a) EXPECT_EQ(m.at(c, a), 100 * a + 20 + c);
}

TEST(TensorSlice, RejectsSpecsThatDoNotFit) {
    EXPECT_THROW(extractSlice(iota(6), {2, 3}, SliceSpec{0, 0, {0, 0}}), std::invalid_argument);
    EXPECT_THROW(extractSlice(iota(6), {2, 3}, SliceSpec{0, 2, {0, 0}}), std::invalid_argument);
    EXPECT_THROW(extractSlice(iota(24), {2, 3, 4}, SliceSpec{1, 2, {2, 0, 0}}),
                 std::invalid_argument);
    EXPECT_THROW(extractSlice(iota(5), {2, 3}, SliceSpec{0, 1, {0, 0}}), std::invalid_argument);
}

TEST(TensorSlice, TileGridPlacesEveryFilter) {
    // PyTorch (out=2, in=3, kh=2, kw=2); value encodes its index.
    std::vector<double> v;
    for (int o = 0; o < 2; ++o)
        for (int i = 0; i < 3; ++i)
            for (int y = 0; y < 2; ++y)
                for (int x = 0; x < 2; ++x) v.push_back(1000 * o + 100 * i + 10 * y + x);
    KernelLayout torch;
    ASSERT_TRUE(kernelLayoutFor({2, 3, 2, 2}, false, &torch));
    const Matrix2D g = tileGrid(v, {2, 3, 2, 2}, torch);
    ASSERT_EQ(g.rows, 4);
    ASSERT_EQ(g.cols, 6);
    EXPECT_EQ(g.at(1 * 2 + 1, 2 * 2 + 0), 1000 + 200 + 10 + 0);

    // The same kernel in Keras order (kh, kw, in, out) gives the same grid.
    std::vector<double> k(v.size());
    for (int o = 0; o < 2; ++o)
        for (int i = 0; i < 3; ++i)
            for (int y = 0; y < 2; ++y)
                for (int x = 0; x < 2; ++x)
                    k[((y * 2 + x) * 3 + i) * 2 + o] = v[((o * 3 + i) * 2 + y) * 2 + x];
    KernelLayout keras;
    ASSERT_TRUE(kernelLayoutFor({2, 2, 3, 2}, true, &keras));
    EXPECT_EQ(tileGrid(k, {2, 2, 3, 2}, keras).values, g.values);
    KernelLayout none;
    EXPECT_FALSE(kernelLayoutFor({4, 4}, false, &none));
}

TEST(HeatmapReduction, SmallMatricesAreShownAsIs) {
    Matrix2D m{3, 4, iota(12)};
    const ReducedMatrix r = reduceForDisplay(m, 3, 4, BlockReduction::Mean);
    EXPECT_EQ(r.rowBlock, 1);
    EXPECT_EQ(r.colBlock, 1);
    EXPECT_EQ(r.matrix.values, m.values);
}

TEST(HeatmapReduction, BlockMeanAndMaxAbsWithRaggedEdges) {
    // 5 x 5, at most 2 x 2 cells: blocks of 3 x 3, the last ones 2 wide.
    Matrix2D m{5, 5, iota(25)};
    m.values[6] = -100;  // (1, 1)
    const ReducedMatrix mean = reduceForDisplay(m, 2, 2, BlockReduction::Mean);
    ASSERT_EQ(mean.rowBlock, 3);
    ASSERT_EQ(mean.matrix.rows, 2);
    ASSERT_EQ(mean.matrix.cols, 2);
    EXPECT_DOUBLE_EQ(mean.matrix.at(0, 0), (0 + 1 + 2 + 5 - 100 + 7 + 10 + 11 + 12) / 9.0);
    EXPECT_DOUBLE_EQ(mean.matrix.at(1, 1), (18 + 19 + 23 + 24) / 4.0);
    const ReducedMatrix maxAbs = reduceForDisplay(m, 2, 2, BlockReduction::MaxAbs);
    EXPECT_EQ(maxAbs.matrix.at(0, 0), -100);  // sign kept
    EXPECT_EQ(maxAbs.matrix.at(1, 0), 22);
}

TEST(HeatmapReduction, NaNStaysVisibleInItsBlock) {
    Matrix2D m{4, 4, iota(16)};
    m.values[5] = std::numeric_limits<double>::quiet_NaN();
    m.values[15] = std::numeric_limits<double>::infinity();
    for (auto mode : {BlockReduction::Mean, BlockReduction::MaxAbs}) {
        const ReducedMatrix r = reduceForDisplay(m, 2, 2, mode);
        EXPECT_TRUE(std::isnan(r.matrix.at(0, 0)));
        EXPECT_FALSE(std::isnan(r.matrix.at(0, 1)));
        EXPECT_EQ(r.matrix.at(1, 1), std::numeric_limits<double>::infinity());
    }
}

TEST(HeatmapReduction, SymmetricRangeIgnoresNonFiniteAndClipsAtPercentile) {
    std::vector<double> v = iota(100);
    v[3] = -1000;  // finite magnitudes: 0, 1, 2, 4, ..., 99, 1000
    v.push_back(std::numeric_limits<double>::infinity());
    v.push_back(std::numeric_limits<double>::quiet_NaN());
    EXPECT_EQ(symmetricRange(v, 100), 1000);
    // Nearest rank: the 99th percentile of 100 finite magnitudes is the 99th smallest, so the
    // one outlier no longer sets the range.
    EXPECT_EQ(symmetricRange(v, 99), 99);
    EXPECT_EQ(symmetricRange(v, 50), 50);
    EXPECT_EQ(symmetricRange({}, 99), 0);
    EXPECT_EQ(symmetricRange({std::nan("")}, 100), 0);
}
