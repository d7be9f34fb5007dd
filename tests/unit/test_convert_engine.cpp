// SPDX-License-Identifier: GPL-3.0-or-later
// The conversion rule table and its generic engine on small in-memory layers whose expected
// results follow from the documented conventions (written out index by index here, never taken
// from the engine): permutations, gate reorders, bias split/sum, GRU bias rows, depthwise
// reshape, flattened-row reorder, Theano flips, BatchNorm fills, and exact round trips.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>

#include "convert/convert_engine.h"
#include "convert/rule_table.h"
#include "io/byte_source.h"
#include "model/error.h"

namespace {

using ws::convert::DenseArray;
using ws::convert::LayerContext;
using ws::convert::TorchTensor;

// A layer whose tensors hold 0, 1, 2, ... (+ offset per tensor) so every element is traceable.
struct TestLayer {
    ws::layers::SemanticLayer layer;
    std::vector<std::unique_ptr<ws::Node>> nodes;

    void add(const std::string& role, std::vector<std::int64_t> shape, float offset = 0) {
        const std::int64_t n =
            std::accumulate(shape.begin(), shape.end(), std::int64_t(1), std::multiplies<>());
        std::vector<float> v(static_cast<std::size_t>(n));
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = offset + float(i);
        addValues(role, std::move(shape), v);
    }

    void addValues(const std::string& role, std::vector<std::int64_t> shape,
                   const std::vector<float>& v) {
        std::vector<std::uint8_t> bytes(v.size() * 4);
        std::memcpy(bytes.data(), v.data(), bytes.size());
        auto t = std::make_shared<ws::Tensor>();
        t->shape = shape;
        t->storage = std::make_shared<ws::MemoryByteSource>(std::move(bytes));
        auto node = ws::makeTensorNode(role, t);
        node->path = layer.name + "/" + role;
        layer.tensors[role] = node.get();
        nodes.push_back(std::move(node));
    }
};

std::map<std::string, DenseArray> byName(const std::vector<TorchTensor>& tensors) {
    std::map<std::string, DenseArray> out;
    for (const auto& t : tensors) out[t.name] = t.array;
    return out;
}

double at(const DenseArray& a, std::vector<std::int64_t> idx) {
    std::int64_t flat = 0;
    for (std::size_t i = 0; i < idx.size(); ++i) flat = flat * a.shape[i] + idx[i];
    return a.data.at(static_cast<std::size_t>(flat));
}

std::vector<TorchTensor> toTorch(const TestLayer& t, LayerContext ctx = {},
                                 const ws::convert::EngineOptions& o = {}) {
    const auto* rule = ws::convert::findRule(t.layer.kind);
    EXPECT_NE(rule, nullptr) << t.layer.kind;
    return ws::convert::kerasLayerToTorch(t.layer, *rule, ctx, o);
}

// Keras -> PyTorch -> Keras gives back every Keras tensor exactly.
void expectRoundTrip(const TestLayer& t, LayerContext ctx = {}) {
    const auto* rule = ws::convert::findRule(t.layer.kind);
    const auto torch = byName(toTorch(t, ctx));
    const auto keras = ws::convert::torchLayerToKeras(torch, *rule, ctx, t.layer.params);
    for (const auto& [role, node] : t.layer.tensors) {
        ASSERT_TRUE(keras.count(role)) << t.layer.kind << " lost " << role;
        EXPECT_EQ(keras.at(role).shape, node->tensor->shape) << role;
        EXPECT_EQ(keras.at(role).data, node->tensor->toDoubles()) << t.layer.kind << " " << role;
    }
    EXPECT_EQ(keras.size(), t.layer.tensors.size());
}

TEST(ConvertEngine, EveryDocumentedKindHasARow) {
    for (const char* kind : {"Dense", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose",
                             "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization",
                             "LayerNormalization", "Embedding", "SimpleRNN", "LSTM", "GRU"})
        EXPECT_NE(ws::convert::findRule(kind), nullptr) << kind;
    EXPECT_EQ(ws::convert::findRule("Flatten"), nullptr);
}

TEST(ConvertEngine, DenseTransposes) {
    TestLayer t;
    t.layer.name = "dense";
    t.layer.kind = "Dense";
    t.add("kernel", {3, 2});
    t.add("bias", {2}, 100);
    const auto m = byName(toTorch(t));
    const DenseArray& w = m.at("weight");
    ASSERT_EQ(w.shape, (std::vector<std::int64_t>{2, 3}));
    for (int o = 0; o < 2; ++o)
        for (int i = 0; i < 3; ++i)
            EXPECT_EQ(at(w, {o, i}), i * 2 + o);  // weight[o][i] = kernel[i][o]
    EXPECT_EQ(m.at("bias").data, (std::vector<double>{100, 101}));
    expectRoundTrip(t);
}

TEST(ConvertEngine, ConvKernelsPermuteToOutInSpatial) {
    TestLayer t;
    t.layer.name = "conv";
    t.layer.kind = "Conv2D";
    t.add("kernel", {2, 3, 4, 5});  // (kh, kw, in, out)
    const auto w = byName(toTorch(t)).at("weight");
    ASSERT_EQ(w.shape, (std::vector<std::int64_t>{5, 4, 2, 3}));
    EXPECT_EQ(at(w, {4, 3, 1, 2}), ((1 * 3 + 2) * 4 + 3) * 5 + 4);  // kernel[1][2][3][4]
    expectRoundTrip(t);

    TestLayer c1;
    c1.layer.name = "c1";
    c1.layer.kind = "Conv1D";
    c1.add("kernel", {3, 4, 6});  // (k, in, out) -> (out, in, k)
    const auto w1 = byName(toTorch(c1)).at("weight");
    ASSERT_EQ(w1.shape, (std::vector<std::int64_t>{6, 4, 3}));
    EXPECT_EQ(at(w1, {5, 1, 2}), (2 * 4 + 1) * 6 + 5);
    expectRoundTrip(c1);

    TestLayer c3;
    c3.layer.name = "c3";
    c3.layer.kind = "Conv3D";
    c3.add("kernel", {2, 2, 3, 4, 5});
    EXPECT_EQ(byName(toTorch(c3)).at("weight").shape, (std::vector<std::int64_t>{5, 4, 2, 2, 3}));
    expectRoundTrip(c3);

    TestLayer tr;  // Keras (kh, kw, out, in) -> PyTorch (in, out, kh, kw)
    tr.layer.name = "tr";
    tr.layer.kind = "Conv2DTranspose";
    tr.add("kernel", {2, 3, 4, 5});
    const auto wt = byName(toTorch(tr)).at("weight");
    ASSERT_EQ(wt.shape, (std::vector<std::int64_t>{5, 4, 2, 3}));
    EXPECT_EQ(at(wt, {1, 2, 0, 1}), ((0 * 3 + 1) * 4 + 2) * 5 + 1);
    expectRoundTrip(tr);
}

TEST(ConvertEngine, DepthwiseAndSeparable) {
    TestLayer t;
    t.layer.name = "dw";
    t.layer.kind = "DepthwiseConv2D";
    t.layer.params["depth_multiplier"] = 2;
    t.add("depthwise_kernel", {3, 3, 4, 2});  // (kh, kw, C, m) -> (C*m, 1, kh, kw)
    const auto w = byName(toTorch(t)).at("weight");
    ASSERT_EQ(w.shape, (std::vector<std::int64_t>{8, 1, 3, 3}));
    // output channel c*m + j holds kernel[:, :, c, j]
    EXPECT_EQ(at(w, {2 * 2 + 1, 0, 1, 2}), ((1 * 3 + 2) * 4 + 2) * 2 + 1);
    expectRoundTrip(t);

    TestLayer s;
    s.layer.name = "sep";
    s.layer.kind = "SeparableConv2D";
    s.layer.params["depth_multiplier"] = 1;
    s.add("depthwise_kernel", {3, 3, 4, 1});
    s.add("pointwise_kernel", {1, 1, 4, 6});
    s.add("bias", {6});
    const auto m = byName(toTorch(s));
    EXPECT_EQ(m.at("depthwise.weight").shape, (std::vector<std::int64_t>{4, 1, 3, 3}));
    EXPECT_EQ(m.at("pointwise.weight").shape, (std::vector<std::int64_t>{6, 4, 1, 1}));
    EXPECT_TRUE(m.count("pointwise.bias"));
    expectRoundTrip(s);
}

TEST(ConvertEngine, LstmKeepsGateOrderAndSplitsTheSummedBias) {
    TestLayer t;
    t.layer.name = "lstm";
    t.layer.kind = "LSTM";
    const int h = 2;
    t.add("kernel", {3, 4 * h});
    t.add("recurrent_kernel", {h, 4 * h}, 50);
    t.add("bias", {4 * h}, 100);
    LayerContext ctx;
    ctx.torchPrefix = "rnn.";
    ctx.stackIndex = 1;
    const auto m = byName(toTorch(t, ctx));
    ASSERT_TRUE(m.count("rnn.weight_ih_l1"));
    const DenseArray& wih = m.at("rnn.weight_ih_l1");
    ASSERT_EQ(wih.shape, (std::vector<std::int64_t>{8, 3}));
    for (int r = 0; r < 8; ++r)
        for (int i = 0; i < 3; ++i) EXPECT_EQ(at(wih, {r, i}), i * 8 + r);
    EXPECT_EQ(m.at("rnn.bias_ih_l1").data,
              (std::vector<double>{100, 101, 102, 103, 104, 105, 106, 107}));
    EXPECT_EQ(m.at("rnn.bias_hh_l1").data, std::vector<double>(8, 0.0));
    expectRoundTrip(t, ctx);

    // PyTorch -> Keras adds both biases.
    auto torch = m;
    for (auto& v : torch["rnn.bias_hh_l1"].data) v = 1;
    const auto keras =
        ws::convert::torchLayerToKeras(torch, *ws::convert::findRule("LSTM"), ctx, t.layer.params);
    EXPECT_EQ(keras.at("bias").data[3], 104);
}

TEST(ConvertEngine, BidirectionalNamesTheBackwardHalfReverse) {
    TestLayer t;
    t.layer.name = "bi";
    t.layer.kind = "LSTM";
    t.layer.params["bidirectional"] = true;
    for (const std::string dir : {"", "backward."}) {
        t.add(dir + "kernel", {3, 8}, dir.empty() ? 0 : 1000);
        t.add(dir + "recurrent_kernel", {2, 8});
        t.add(dir + "bias", {8});
    }
    const auto m = byName(toTorch(t));
    EXPECT_EQ(m.size(), 8u);
    EXPECT_EQ(at(m.at("weight_ih_l0_reverse"), {0, 0}), 1000);
    EXPECT_EQ(at(m.at("weight_ih_l0"), {0, 0}), 0);
    expectRoundTrip(t);
}

TEST(ConvertEngine, GruSwapsZAndRAndSplitsBiasRows) {
    TestLayer t;
    t.layer.name = "gru";
    t.layer.kind = "GRU";
    t.layer.params["reset_after"] = true;
    const int h = 2;
    t.add("kernel", {1, 3 * h});  // columns: z0 z1 r0 r1 h0 h1 = 0..5
    t.add("recurrent_kernel", {h, 3 * h});
    t.add("bias", {2, 3 * h}, 100);  // row 0: 100..105, row 1: 106..111
    const auto m = byName(toTorch(t));
    // PyTorch rows r, z, n = Keras columns r, z, h.
    EXPECT_EQ(m.at("weight_ih_l0").data, (std::vector<double>{2, 3, 0, 1, 4, 5}));
    EXPECT_EQ(m.at("bias_ih_l0").data, (std::vector<double>{102, 103, 100, 101, 104, 105}));
    EXPECT_EQ(m.at("bias_hh_l0").data, (std::vector<double>{108, 109, 106, 107, 110, 111}));
    expectRoundTrip(t);

    ws::convert::EngineOptions broken;  // the negative control leaves Keras' order
    broken.brokenRules.insert("gru-no-gate-swap");
    EXPECT_EQ(byName(toTorch(t, {}, broken)).at("weight_ih_l0").data,
              (std::vector<double>{0, 1, 2, 3, 4, 5}));
}

TEST(ConvertEngine, SimpleRnnSumsBiases) {
    TestLayer t;
    t.layer.name = "rnn";
    t.layer.kind = "SimpleRNN";
    t.add("kernel", {3, 4});
    t.add("recurrent_kernel", {4, 4});
    t.add("bias", {4}, 7);
    const auto m = byName(toTorch(t));
    EXPECT_EQ(m.at("bias_ih_l0").data, (std::vector<double>{7, 8, 9, 10}));
    EXPECT_EQ(m.at("bias_hh_l0").data, std::vector<double>(4, 0.0));
    expectRoundTrip(t);
}

// A Keras file generated from PyTorch carries bias_ih / bias_hh (rows of kTorchBiasSplitRole):
// used when their float32 sum is the Keras bias, else the rule applies and says why.
TEST(ConvertEngine, TorchBiasSplitRestoresBothBiasesOnlyWhenItSumsToTheBias) {
    const std::string split = ws::convert::kTorchBiasSplitRole;
    for (bool consistent : {true, false}) {
        TestLayer t;
        t.layer.name = "rnn";
        t.layer.kind = "SimpleRNN";
        t.add("kernel", {3, 4});
        t.add("recurrent_kernel", {4, 4});
        t.addValues("bias", {4}, {7, 8, 9, 10});
        t.addValues(split, {2, 4}, {3, 4, 5, 6, 4, 4, 4, consistent ? 4.f : 5.f});
        t.layer.extras[split] = t.layer.tensors.at(split);  // where recognition puts it
        t.layer.tensors.erase(split);
        const auto tensors = toTorch(t);
        const auto m = byName(tensors);
        std::string warnings;
        for (const auto& x : tensors) warnings += x.warning;
        if (consistent) {
            EXPECT_EQ(m.at("bias_ih_l0").data, (std::vector<double>{3, 4, 5, 6}));
            EXPECT_EQ(m.at("bias_hh_l0").data, (std::vector<double>{4, 4, 4, 4}));
            EXPECT_EQ(warnings, "");
            // PyTorch -> Keras gives the same pair back as the split rows.
            const auto rows = ws::convert::torchBiasSplits(m, *ws::convert::findRule("SimpleRNN"),
                                                           {}, t.layer.params);
            ASSERT_EQ(rows.count(split), 1u);
            EXPECT_EQ(rows.at(split).shape, (std::vector<std::int64_t>{2, 4}));
            EXPECT_EQ(rows.at(split).data, (std::vector<double>{3, 4, 5, 6, 4, 4, 4, 4}));
        } else {
            EXPECT_EQ(m.at("bias_ih_l0").data, (std::vector<double>{7, 8, 9, 10}));
            EXPECT_EQ(m.at("bias_hh_l0").data, std::vector<double>(4, 0.0));
            EXPECT_NE(warnings.find("does not sum to the Keras bias"), std::string::npos);
        }
    }
    // GRU keeps both biases as rows of its own bias: nothing extra to carry.
    std::map<std::string, DenseArray> gru;
    gru["weight_ih_l0"] = DenseArray::filled({6, 3}, 1, ws::DType::F32);
    gru["weight_hh_l0"] = DenseArray::filled({6, 2}, 1, ws::DType::F32);
    gru["bias_ih_l0"] = gru["bias_hh_l0"] = DenseArray::filled({6}, 1, ws::DType::F32);
    EXPECT_TRUE(ws::convert::torchBiasSplits(gru, *ws::convert::findRule("GRU"), {},
                                             nlohmann::json::object())
                    .empty());
}

TEST(ConvertEngine, DenseAfterFlattenReordersRowsToChannelsFirst) {
    TestLayer t;
    t.layer.name = "dense";
    t.layer.kind = "Dense";
    const std::int64_t H = 2, W = 3, C = 4, units = 2;
    t.add("kernel", {H * W * C, units});
    LayerContext ctx;
    ctx.preFlattenShape = {H, W, C};
    const auto w = byName(toTorch(t, ctx)).at("weight");
    ASSERT_EQ(w.shape, (std::vector<std::int64_t>{units, H * W * C}));
    for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t y = 0; y < H; ++y)
            for (std::int64_t x = 0; x < W; ++x)
                for (std::int64_t o = 0; o < units; ++o) {
                    const std::int64_t torchCol =
                        (c * H + y) * W + x;  // torch.flatten of (C, H, W)
                    const std::int64_t kerasRow =
                        (y * W + x) * C + c;  // Keras Flatten of (H, W, C)
                    EXPECT_EQ(at(w, {o, torchCol}), kerasRow * units + o);
                }
    expectRoundTrip(t, ctx);
}

TEST(ConvertEngine, TheanoKernelsAreFlippedSpatially) {
    TestLayer t;
    t.layer.name = "conv";
    t.layer.kind = "Conv2D";
    t.add("kernel", {2, 3, 1, 1});
    LayerContext ctx;
    ctx.theanoKernels = true;
    const auto w = byName(toTorch(t, ctx)).at("weight");
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 3; ++x) EXPECT_EQ(at(w, {0, 0, y, x}), (1 - y) * 3 + (2 - x));
}

TEST(ConvertEngine, BatchNormFillsMissingScaleAndAddsCounter) {
    TestLayer t;
    t.layer.name = "bn";
    t.layer.kind = "BatchNormalization";
    t.add("beta", {3});
    t.add("moving_mean", {3}, 10);
    t.add("moving_variance", {3}, 20);  // scale=False: no gamma
    const auto m = byName(toTorch(t));
    EXPECT_EQ(m.at("weight").data, std::vector<double>(3, 1.0));
    EXPECT_EQ(m.at("running_var").data, (std::vector<double>{20, 21, 22}));
    EXPECT_EQ(m.at("num_batches_tracked").shape, std::vector<std::int64_t>{});
    EXPECT_EQ(m.at("num_batches_tracked").dtype, ws::DType::I64);

    TestLayer plain;  // center=False and scale=False: affine=False, nothing filled
    plain.layer.name = "bn";
    plain.layer.kind = "BatchNormalization";
    plain.add("moving_mean", {3});
    plain.add("moving_variance", {3});
    const auto p = byName(toTorch(plain));
    EXPECT_FALSE(p.count("weight"));
    EXPECT_FALSE(p.count("bias"));
}

TEST(ConvertEngine, MissingRequiredKerasTensorIsNamed) {
    TestLayer t;
    t.layer.name = "lstm_9";
    t.layer.kind = "LSTM";
    t.add("kernel", {3, 8});
    t.add("bias", {8});  // no recurrent_kernel
    try {
        toTorch(t);
        FAIL() << "converted without a recurrent kernel";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(
            std::string(e.what()).find("LSTM layer 'lstm_9' has no 'recurrent_kernel' tensor"),
            std::string::npos)
            << e.what();
    }
    TestLayer noBias;  // use_bias=False is fine: no PyTorch biases
    noBias.layer.name = "dense";
    noBias.layer.kind = "Dense";
    noBias.add("kernel", {3, 2});
    const auto m = byName(toTorch(noBias));
    EXPECT_EQ(m.size(), 1u);
    EXPECT_TRUE(m.count("weight"));
}

TEST(ConvertEngine, MissingTorchTensorIsNamed) {
    TestLayer t;
    t.layer.name = "dense";
    t.layer.kind = "Dense";
    t.add("kernel", {3, 2});
    std::map<std::string, DenseArray> torch;
    try {
        ws::convert::torchLayerToKeras(torch, *ws::convert::findRule("Dense"), {}, t.layer.params);
        FAIL() << "no error";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("'weight' is missing"), std::string::npos) << e.what();
    }
}

}  // namespace
