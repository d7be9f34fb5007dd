// SPDX-License-Identifier: GPL-3.0-or-later
// Region and value syntax of the editor: NumPy-style indices and slices, negative indices,
// "...", refusals that name the tensor and its shape; numbers kept exact.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "edit/region.h"
#include "edit/scalar.h"
#include "model/error.h"

using ws::FormatError;

namespace {

std::string errorOf(const std::string& region, const std::vector<std::int64_t>& shape) {
    try {
        ws::resolveRegion(ws::parseRegion(region), shape, "fc.weight");
    } catch (const FormatError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(EditRegion, IndicesAndSlicesResolveLikeNumpy) {
    const ws::Region r = ws::resolveRegion(ws::parseRegion("1, -1"), {3, 4}, "t");
    EXPECT_EQ(r.start, (std::vector<std::int64_t>{1, 3}));
    EXPECT_EQ(r.count, (std::vector<std::int64_t>{1, 1}));

    const ws::Region s = ws::resolveRegion(ws::parseRegion("0:2, :"), {3, 4}, "t");
    EXPECT_EQ(s.start, (std::vector<std::int64_t>{0, 0}));
    EXPECT_EQ(s.count, (std::vector<std::int64_t>{2, 4}));

    const ws::Region n = ws::resolveRegion(ws::parseRegion(":-1, ::2"), {3, 5}, "t");
    EXPECT_EQ(n.count, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(n.step, (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(n.numel(), 6);

    // "..." and missing trailing axes are whole axes.
    const ws::Region e = ws::resolveRegion(ws::parseRegion("..., 2"), {2, 3, 4}, "t");
    EXPECT_EQ(e.start, (std::vector<std::int64_t>{0, 0, 2}));
    EXPECT_EQ(e.count, (std::vector<std::int64_t>{2, 3, 1}));
    const ws::Region w = ws::resolveRegion(ws::parseRegion("1"), {2, 3}, "t");
    EXPECT_EQ(w.count, (std::vector<std::int64_t>{1, 3}));
    EXPECT_EQ(ws::resolveRegion(ws::parseRegion(""), {2, 3}, "t").numel(), 6);
}

TEST(EditRegion, OutOfRangeIsRefusedNamingTensorAndShape) {
    const std::string index = errorOf("3, 0", {3, 4});
    EXPECT_NE(index.find("fc.weight"), std::string::npos) << index;
    EXPECT_NE(index.find("(3, 4)"), std::string::npos) << index;
    EXPECT_NE(index.find("index 3"), std::string::npos) << index;
    EXPECT_NE(errorOf("-4", {3, 4}).find("out of range"), std::string::npos);
    EXPECT_NE(errorOf("0:5", {3, 4}).find("(3, 4)"), std::string::npos);
    EXPECT_NE(errorOf("2:1", {3, 4}).find("selects nothing"), std::string::npos);
    EXPECT_NE(errorOf("0, 0, 0", {3, 4}).find("has 2 axes"), std::string::npos);
}

TEST(EditRegion, BadSyntaxIsRefused) {
    EXPECT_THROW(ws::parseRegion("a"), FormatError);
    EXPECT_THROW(ws::parseRegion("1,,2"), FormatError);
    EXPECT_THROW(ws::parseRegion("0:4:0"), FormatError);
    EXPECT_THROW(ws::parseRegion("0:4:-1"), FormatError);
    EXPECT_THROW(ws::parseRegion("1:2:3:4"), FormatError);
    EXPECT_THROW(ws::parseRegion("..., ..."), FormatError);
}

TEST(EditRegion, AssignmentsSplitPathRegionAndValue) {
    ws::Assignment a = ws::parseAssignment("lstm.weight_ih_l0[3, -1]=0.25", false);
    EXPECT_EQ(a.path, "lstm.weight_ih_l0");
    EXPECT_EQ(a.region.axes.size(), 2u);
    EXPECT_EQ(a.value, "0.25");

    a = ws::parseAssignment("model_weights/dense/dense/kernel:0=2", false);
    EXPECT_EQ(a.path, "model_weights/dense/dense/kernel:0");
    EXPECT_TRUE(a.region.axes.empty());
    EXPECT_EQ(a.value, "2");

    a = ws::parseAssignment("fc.bias[0:2]", true);
    EXPECT_EQ(a.path, "fc.bias");
    EXPECT_FALSE(a.hasValue);

    // A paste source may contain "=".
    a = ws::parseAssignment("w[0,0]=dir/a=b.csv", false);
    EXPECT_EQ(a.value, "dir/a=b.csv");

    EXPECT_THROW(ws::parseAssignment("fc.bias[0]", false), FormatError);
    EXPECT_THROW(ws::parseAssignment("[0]=1", false), FormatError);
    EXPECT_THROW(ws::parseAssignment("w[0]=", false), FormatError);
}

TEST(EditScalar, IntegersStayExactAndTextIsChecked) {
    const ws::Scalar big = ws::parseScalar("9007199254740993");  // 2^53 + 1: not a double
    EXPECT_TRUE(big.isInteger);
    EXPECT_EQ(big.integer, 9007199254740993LL);
    EXPECT_TRUE(ws::parseScalar("-3").isInteger);
    EXPECT_TRUE(ws::parseScalar("2.0").isInteger);  // integral: accepted by int tensors
    EXPECT_FALSE(ws::parseScalar("0.5").isInteger);
    EXPECT_DOUBLE_EQ(ws::parseScalar("1e-3").real, 1e-3);
    EXPECT_TRUE(std::isnan(ws::parseScalar("nan").real));
    EXPECT_EQ(ws::parseScalar("true").integer, 1);
    EXPECT_THROW(ws::parseScalar("1.5x"), FormatError);
    EXPECT_THROW(ws::parseScalar(""), FormatError);
    EXPECT_THROW(ws::parseScalar("1e999"), FormatError);
}
