// SPDX-License-Identifier: GPL-3.0-or-later
// Model comparison metrics (core/compare/diff_metrics.h): the numbers against the definitions
// evaluated directly in the test, the edge cases the header promises (||B|| = 0, NaN, -0), and
// the streaming read: any piece size, strided views and mixed dtypes give the same metrics as
// the plain element-by-element definition.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "compare/diff_metrics.h"
#include "io/byte_source.h"
#include "model/half.h"
#include "tensor_test_support.h"

using ws::compare::DiffMetrics;

using ws_test::f32Tensor;

namespace {

struct Expected {
    double maxAbs = 0, rel = 0, cos = 0;
};

// The definitions written out on the values, with no shared code.
Expected direct(const std::vector<double>& a, const std::vector<double>& b) {
    double md = 0, dd = 0, aa = 0, bb = 0, ab = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        md = std::max(md, std::fabs(a[i] - b[i]));
        dd += (a[i] - b[i]) * (a[i] - b[i]);
        aa += a[i] * a[i];
        bb += b[i] * b[i];
        ab += a[i] * b[i];
    }
    return {md, std::sqrt(dd) / std::sqrt(bb), ab / std::sqrt(aa * bb)};
}

}  // namespace

TEST(CompareMetrics, MatchDefinitions) {
    const std::vector<double> a = {1.0, -2.0, 3.5, 0.25, 7.0};
    const std::vector<double> b = {1.0, -2.5, 3.0, 0.0, 7.0};
    DiffMetrics m;
    m.add(a.data(), b.data(), a.size());
    const Expected e = direct(a, b);
    EXPECT_DOUBLE_EQ(m.maxAbsDiff, e.maxAbs);
    EXPECT_DOUBLE_EQ(m.relativeFrobenius(), e.rel);
    EXPECT_DOUBLE_EQ(m.cosine(), e.cos);
    EXPECT_FALSE(m.identical());
    EXPECT_EQ(m.differing, 3u);
    EXPECT_EQ(m.count, 5u);
}

TEST(CompareMetrics, MergeEqualsOnePass) {
    const std::vector<double> a = {1, 2, 3, 4, 5, 6}, b = {1, 2.5, 3, 3, 5, 9};
    DiffMetrics whole, first, second;
    whole.add(a.data(), b.data(), 6);
    first.add(a.data(), b.data(), 2);
    second.add(a.data() + 2, b.data() + 2, 4);
    first.merge(second);
    EXPECT_EQ(first.relativeFrobenius(), whole.relativeFrobenius());
    EXPECT_EQ(first.cosine(), whole.cosine());
    EXPECT_EQ(first.maxAbsDiff, whole.maxAbsDiff);
    EXPECT_EQ(first.differing, whole.differing);
}

TEST(CompareMetrics, ZeroReferenceAndZeroVectors) {
    const std::vector<double> zeros(3, 0.0), ones(3, 1.0);
    DiffMetrics bothZero, onlyA;
    bothZero.add(zeros.data(), zeros.data(), 3);
    EXPECT_EQ(bothZero.relativeFrobenius(), 0.0);
    EXPECT_EQ(bothZero.cosine(), 1.0);
    EXPECT_TRUE(bothZero.identical());
    onlyA.add(ones.data(), zeros.data(), 3);
    EXPECT_TRUE(std::isinf(onlyA.relativeFrobenius()));
    EXPECT_EQ(onlyA.cosine(), 0.0);
}

TEST(CompareMetrics, NonFiniteAndSignedZero) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> a = {nan, 1.0, 0.0}, b = {nan, 1.0, -0.0};
    DiffMetrics m;
    m.add(a.data(), b.data(), 3);
    EXPECT_EQ(m.nonFinite, 1u);  // kept out of the sums
    EXPECT_EQ(m.maxAbsDiff, 0.0);
    EXPECT_FALSE(m.identical());  // +0 and -0 have different bits
    EXPECT_EQ(m.differing, 1u);   // the same NaN on both sides matches
    const std::vector<double> c = {2.0}, d = {nan};
    DiffMetrics n;
    n.add(c.data(), d.data(), 1);
    EXPECT_FALSE(n.identical());
    EXPECT_EQ(n.sumSqB, 0.0);
}

TEST(CompareTensors, StreamingPiecesGiveTheSameResult) {
    std::vector<float> va(7 * 300), vb(va.size());
    std::vector<double> da(va.size()), db(va.size());
    for (std::size_t i = 0; i < va.size(); ++i) {
        va[i] = float(std::sin(double(i)) * 3);
        vb[i] = i % 17 == 0 ? va[i] + 0.125f : va[i];
        da[i] = va[i];
        db[i] = vb[i];
    }
    const auto a = f32Tensor({7, 300}, va), b = f32Tensor({7, 300}, vb);
    const DiffMetrics small = ws::compare::compareTensors(*a, *b, nullptr, 7);
    const DiffMetrics large = ws::compare::compareTensors(*a, *b);
    const Expected e = direct(da, db);
    for (const DiffMetrics* m : {&small, &large}) {
        EXPECT_EQ(m->count, va.size());
        EXPECT_EQ(m->differing, (va.size() + 16) / 17);
        EXPECT_DOUBLE_EQ(m->maxAbsDiff, e.maxAbs);
        EXPECT_NEAR(m->relativeFrobenius(), e.rel, 1e-12 * e.rel);
        EXPECT_NEAR(m->cosine(), e.cos, 1e-12);
    }
}

TEST(CompareTensors, StridedViewAndOtherDtype) {
    // B stores the transpose (3, 2) and is viewed as (2, 3) through strides: element (i, j) of
    // the view is stored at j * 2 + i.
    const auto a = f32Tensor({2, 3}, {1, 2, 3, 4, 5, 6});
    auto b = f32Tensor({3, 2}, {1, 4, 2, 5, 3, 6});
    b->shape = {2, 3};
    b->strides = {1, 2};
    EXPECT_TRUE(ws::compare::compareTensors(*a, *b).identical());

    // The same values as float16: equal after exact widening.
    std::vector<std::uint8_t> halfBytes;
    for (float v : {1.f, 2.f, 3.f, 4.f, 5.f, 6.f}) {
        const std::uint16_t h = ws::floatToHalf(v);
        halfBytes.push_back(std::uint8_t(h & 0xff));
        halfBytes.push_back(std::uint8_t(h >> 8));
    }
    auto h = std::make_shared<ws::Tensor>();
    h->dtype = ws::DType::F16;
    h->shape = {2, 3};
    h->storage = std::make_shared<ws::MemoryByteSource>(std::move(halfBytes));
    EXPECT_TRUE(ws::compare::compareTensors(*a, *h).identical());

    const auto other = f32Tensor({3, 2}, {1, 2, 3, 4, 5, 6});
    EXPECT_THROW(ws::compare::compareTensors(*a, *other), std::invalid_argument);
}

TEST(CompareTensors, DifferenceTensorHoldsAMinusB) {
    const auto a = f32Tensor({2, 2}, {1.5f, -2, 3, 0.25f});
    const auto b = f32Tensor({2, 2}, {1, -2, 4, -0.25f});
    const ws::TensorPtr d = ws::compare::differenceTensor(*a, *b);
    EXPECT_EQ(d->dtype, ws::DType::F64);
    EXPECT_EQ(d->shape, a->shape);
    EXPECT_EQ(d->toDoubles(), (std::vector<double>{0.5, 0.0, -1.0, 0.5}));
}
