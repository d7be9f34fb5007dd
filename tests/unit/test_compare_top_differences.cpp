// SPDX-License-Identifier: GPL-3.0-or-later
// The largest element differences of two tensors (core/compare/top_differences.h) against
// numpy: the same indices, in the same order, with the same values, on random tensors with a
// handful of planted differences, including ties, a NaN and a strided (transposed) view.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

#include "compare/top_differences.h"
#include "io/byte_source.h"
#include "oracle_python.h"
#include "tensor_test_support.h"

using ws::compare::ElementDifference;
using ws::compare::largestDifferences;

using ws_test::f32Tensor;

namespace {

// numpy's answer: the k pairs with differing bits ranked by |a-b| (NaN/Inf first), then by
// index; one "flat i j ... a b" line each.
const char* const kNumpyTopK = R"(
import sys, numpy as np
shape = tuple(int(s) for s in sys.argv[3].split(','))
a = np.fromfile(sys.argv[1], dtype='<f4').reshape(shape).astype(np.float64)
b = np.fromfile(sys.argv[2], dtype='<f4').reshape(shape).astype(np.float64)
k = int(sys.argv[4])
fa, fb = a.reshape(-1), b.reshape(-1)
differ = np.flatnonzero(fa.view(np.uint64) != fb.view(np.uint64))
with np.errstate(invalid='ignore'):
    d = np.abs(fa[differ] - fb[differ])
d[~(np.isfinite(fa[differ]) & np.isfinite(fb[differ]))] = np.inf
order = np.lexsort((differ, -d))[:k]
for i in differ[order]:
    idx = np.unravel_index(i, shape)
    print(i, *idx, repr(float(fa[i])), repr(float(fb[i])))
)";

void writeF32(const std::string& path, const std::vector<float>& v) {
    std::vector<std::uint8_t> bytes(v.size() * 4);
    std::memcpy(bytes.data(), v.data(), bytes.size());
    ws_test::writeFileBytes(path, bytes);
}

void expectSameAsNumpy(const std::vector<std::int64_t>& shape, const std::vector<float>& a,
                       const std::vector<float>& b, std::size_t k) {
    const std::string pa = ws_test::tempPath("top_a.f32"), pb = ws_test::tempPath("top_b.f32");
    writeF32(pa, a);
    writeF32(pb, b);
    std::string dims;
    for (std::int64_t d : shape) dims += (dims.empty() ? "" : ",") + std::to_string(d);
    std::istringstream want(ws_test::runOracleOk(kNumpyTopK, {pa, pb, dims, std::to_string(k)}));
    const std::vector<ElementDifference> got =
        largestDifferences(*f32Tensor(shape, a), *f32Tensor(shape, b), k);
    std::size_t n = 0;
    std::string line;
    while (std::getline(want, line)) {
        ASSERT_LT(n, got.size()) << "numpy lists more: " << line;
        std::istringstream fields(line);
        std::int64_t flat = 0;
        fields >> flat;
        EXPECT_EQ(got[n].flatIndex, flat) << "rank " << n;
        for (std::size_t axis = 0; axis < shape.size(); ++axis) {
            std::int64_t i = 0;
            fields >> i;
            EXPECT_EQ(got[n].index.at(axis), i) << "rank " << n << " axis " << axis;
        }
        std::string va, vb;
        fields >> va >> vb;
        // numpy prints a NaN as "nan"; NaN never equals itself, so it is checked as NaN.
        auto same = [](double got, const std::string& text) {
            return text == "nan" ? std::isnan(got) : got == std::stod(text);
        };
        EXPECT_TRUE(same(got[n].a, va)) << "rank " << n << ": A " << got[n].a << " vs " << va;
        EXPECT_TRUE(same(got[n].b, vb)) << "rank " << n << ": B " << got[n].b << " vs " << vb;
        ++n;
    }
    EXPECT_EQ(n, got.size());
}

}  // namespace

TEST(CompareTopDifferences, PlantedDifferencesAsNumpyRanksThem) {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.0f, 0.05f);
    const std::vector<std::int64_t> shape = {16, 8, 3, 3};
    std::vector<float> a(16 * 8 * 3 * 3);
    for (float& x : a) x = normal(rng);
    std::vector<float> b = a;
    b[5 * 72 + 2 * 9 + 4] += 0.5f;  // the largest
    b[0] -= 0.25f;                  // two equal differences: the lower index first
    b[1000] = a[1000] + 0.25f;
    b[17] = -b[17];  // small ones
    b[300] += 1e-6f;
    b[900] = std::numeric_limits<float>::quiet_NaN();  // not measurable: ranks first
    expectSameAsNumpy(shape, a, b, 4);
    expectSameAsNumpy(shape, a, b, 10);  // more asked for than differ: all of them
}

TEST(CompareTopDifferences, IdenticalTensorsHaveNone) {
    const std::vector<float> a = {1, 2, 3, 4, 5, 6};
    EXPECT_TRUE(largestDifferences(*f32Tensor({2, 3}, a), *f32Tensor({2, 3}, a), 5).empty());
    std::vector<float> b = a;
    b[4] = -0.0f;
    std::vector<float> zero = a;
    zero[4] = 0.0f;
    // +0 and -0 differ in their bits: a difference of size 0, still listed.
    const auto signs = largestDifferences(*f32Tensor({2, 3}, zero), *f32Tensor({2, 3}, b), 5);
    ASSERT_EQ(signs.size(), 1u);
    EXPECT_EQ(signs[0].index, (std::vector<std::int64_t>{1, 1}));
}

TEST(CompareTopDifferences, StridedViewReadsInLogicalOrder) {
    // B is a (2, 3) storage seen transposed through strides: view [i][j] is storage [j][i].
    auto a = f32Tensor({3, 2}, {0, 3, 1, 4, 2, 5});
    auto b = f32Tensor({3, 2}, {0, 1, 2, 3, 4, 5});
    b->strides = {1, 3};
    EXPECT_TRUE(largestDifferences(*a, *b, 3).empty());
    auto edited = f32Tensor({3, 2}, {0, 1, 2, 3, 4, 9});  // storage [1][2]: 5 -> 9
    edited->strides = {1, 3};
    const auto top = largestDifferences(*a, *edited, 3);
    ASSERT_EQ(top.size(), 1u);
    EXPECT_EQ(top[0].index, (std::vector<std::int64_t>{2, 1}));
    EXPECT_EQ(top[0].a, 5.0);
    EXPECT_EQ(top[0].b, 9.0);
}
