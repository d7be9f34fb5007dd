// SPDX-License-Identifier: GPL-3.0-or-later
// The libtorch-free half of `verify`: which steps each side runs and which outputs pair up
// (on real fixtures), the seeded input, the difference measure, and the loader's error when
// the module is missing. The forward passes themselves are tested against real torch and the
// Keras oracle in tests/formats/test_verify.py.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "formats/open_model.h"
#include "keras_test_support.h"
#include "model/error.h"
#include "verify/forward_program.h"
#include "verify/torch_kernels_loader.h"
#include "verify/verify_run.h"

namespace {

using ws::verify::Array;
using ws::verify::compareArrays;

Array arrayOf(std::vector<std::int64_t> shape, std::vector<double> values) {
    return Array{std::move(shape), std::move(values)};
}

TEST(VerifyCompare, IdenticalArraysPass) {
    const auto d = compareArrays("x", arrayOf({2}, {1.5, -2}), arrayOf({2}, {1.5, -2}), 1e-5);
    EXPECT_TRUE(d.pass);
    EXPECT_EQ(d.maxAbs, 0.0);
    EXPECT_EQ(d.scale, 2.0);
}

TEST(VerifyCompare, ToleranceScalesWithMagnitudeAboveOne) {
    // 1e-3 apart: too far at |y| ~ 1, within 1e-5 relative at |y| ~ 1000.
    EXPECT_FALSE(compareArrays("x", arrayOf({1}, {1.0}), arrayOf({1}, {1.001}), 1e-5).pass);
    const auto big = compareArrays("x", arrayOf({1}, {1000.0}), arrayOf({1}, {1000.001}), 1e-5);
    EXPECT_TRUE(big.pass);
    EXPECT_NEAR(big.maxRel, 1e-6, 1e-9);
}

TEST(VerifyCompare, NanAndShapeMismatchFail) {
    const auto nan = compareArrays("x", arrayOf({1}, {NAN}), arrayOf({1}, {0.0}), 1.0);
    EXPECT_FALSE(nan.pass);
    EXPECT_TRUE(std::isinf(nan.maxAbs));
    const auto shapes = compareArrays("x", arrayOf({2}, {0, 0}), arrayOf({1, 2}, {0, 0}), 1.0);
    EXPECT_TRUE(shapes.shapesDiffer);
    EXPECT_FALSE(shapes.pass);
}

TEST(VerifyInput, SeededAndReproducible) {
    const Array a = ws::verify::seededInput({4, 3}, 7, 0);
    EXPECT_EQ(a.values.size(), 12u);
    EXPECT_EQ(a.values, ws::verify::seededInput({4, 3}, 7, 0).values);
    EXPECT_NE(a.values, ws::verify::seededInput({4, 3}, 8, 0).values);
    const Array ids = ws::verify::seededInput({4, 10}, 7, 5);
    for (double v : ids.values) {
        EXPECT_EQ(v, std::floor(v));
        EXPECT_GE(v, 0.0);
        EXPECT_LT(v, 5.0);
    }
    EXPECT_THROW(ws::verify::seededInput({4, -1}, 7, 0), ws::FormatError);
}

TEST(VerifyProgram, KerasAgainstItselfPairsEveryWeightedLayer) {
    WS_REQUIRE_FIXTURE(path, "keras/cnn_bn_keras2_alexfox.h5");
    auto model = ws::openModel(path);
    const auto program = ws::verify::buildForwardProgram(*model, *model);
    EXPECT_EQ(program.a.request.semantics, "keras");
    EXPECT_EQ(program.b.request.semantics, "keras");
    EXPECT_EQ(program.a.request.kerasMajor, 2);
    EXPECT_EQ(program.inputShape, (std::vector<std::int64_t>{130, 13, 1}));
    // 3 x (Conv2D, BN) + 2 Dense carry weights; pooling, Flatten and Dropout do not.
    ASSERT_EQ(program.pairs.size(), 8u);
    EXPECT_EQ(program.pairs.front().label, "Keras conv2d <-> Keras conv2d");
    const auto& bn = program.a.request.steps.at(program.pairs[1].stepA);
    EXPECT_EQ(bn.kind, "BatchNormalization");
    EXPECT_EQ(bn.tensors.count("moving_variance"), 1u);
    EXPECT_EQ(bn.tensors.at("gamma").shape, (std::vector<std::int64_t>{32}));
}

TEST(VerifyProgram, TwoPyTorchFilesAreRefused) {
    const std::string pth = std::string(WS_EXAMPLES_DIR) + "/seed_lstm_state_dict.pth";
    auto model = ws::openModel(pth);
    try {
        ws::verify::buildForwardProgram(*model, *model);
        FAIL() << "two state_dicts were accepted";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("must be a Keras file"), std::string::npos)
            << e.what();
    }
}

TEST(VerifyLoader, MissingModuleNamesWhereItLooked) {
    const char* missing = "/nonexistent/dir/libweightsmith_torch.so";
    ::setenv("WS_TORCH_MODULE", missing, 1);
    try {
        ws::verify::runForward(ws::verify::ForwardRequest{});
        ::unsetenv("WS_TORCH_MODULE");
        FAIL() << "a missing module did not throw";
    } catch (const ws::FormatError& e) {
        ::unsetenv("WS_TORCH_MODULE");
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("could not be loaded"), std::string::npos);
    }
}

}  // namespace
