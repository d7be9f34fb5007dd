// SPDX-License-Identifier: GPL-3.0-or-later
// Layer recognition, planning and refusals on real Keras files: kinds and hyper-parameters from
// the model config, tensor roles from weight names, shapes along the chain, stacked recurrent
// layers merged, Keras 1 per-gate arrays assembled, and each refusal's message.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "convert/keras_to_torch.h"
#include "convert/torch_plan.h"
#include "formats/open_model.h"
#include "keras_test_support.h"
#include "layers/keras_layer_recognition.h"
#include "model/error.h"

namespace {

using ws::layers::LayerSet;

const ws::layers::SemanticLayer& layerNamed(const LayerSet& set, const std::string& name) {
    for (const auto& l : set.layers)
        if (l.name == name) return l;
    throw std::runtime_error("no layer " + name);
}

TEST(ConvertRecognition, CnnShapesGiveThePreFlattenShape) {
    WS_REQUIRE_FIXTURE(path, "keras/cnn_bn_keras2_alexfox.h5");
    auto model = ws::openModel(path);
    const LayerSet set = ws::layers::recognizeKerasLayers(*model);
    EXPECT_TRUE(set.chain);
    EXPECT_EQ(set.kerasMajor, 2);
    EXPECT_EQ(set.inputShape, (std::vector<std::int64_t>{130, 13, 1}));
    const auto& bn = layerNamed(set, "batch_normalization");
    EXPECT_EQ(bn.kind, "BatchNormalization");
    EXPECT_EQ(bn.tensors.size(), 4u);
    EXPECT_DOUBLE_EQ(bn.params.value("epsilon", 0.0), 0.001);
    const auto& dense = layerNamed(set, "dense");
    // The Dense kernel's row count (read from the file) equals the derived Flatten size.
    const auto& rows = dense.tensors.at("kernel")->tensor->shape.at(0);
    ASSERT_EQ(dense.inputShape.size(), 1u);
    EXPECT_EQ(dense.inputShape[0], rows);
    const auto plan = ws::convert::planTorchModel(set);
    EXPECT_TRUE(plan.inputChannelsFirst);
    bool found = false;
    for (const auto& b : plan.blocks)
        if (b.attr == "dense") {
            EXPECT_EQ(b.preFlattenShape, (std::vector<std::int64_t>{15, 1, 32}));
            found = true;
        }
    EXPECT_TRUE(found);
}

TEST(ConvertRecognition, StackedLstmsMergeIntoNumLayers) {
    WS_REQUIRE_FIXTURE(path, "keras/lstm_stacked_timeseries_keras3.h5");
    auto model = ws::openModel(path);
    const LayerSet set = ws::layers::recognizeKerasLayers(*model);
    EXPECT_EQ(set.kerasMajor, 3);
    const auto& lstm = layerNamed(set, "lstm");
    EXPECT_EQ(lstm.params.value("units", 0), 50);
    EXPECT_EQ(lstm.params.value("recurrent_activation", ""), "sigmoid");
    EXPECT_TRUE(lstm.tensors.count("recurrent_kernel"));
    const auto plan = ws::convert::planTorchModel(set);
    ASSERT_FALSE(plan.blocks.empty());
    std::size_t lstmBlocks = 0;
    for (const auto& b : plan.blocks)
        if (b.kind == "LSTM") {
            ++lstmBlocks;
            EXPECT_EQ(b.layers.size(), 2u);
        }
    EXPECT_EQ(lstmBlocks, 1u);
    ws::convert::PlanOptions separate;
    separate.mergeStacks = false;
    std::size_t separateBlocks = 0;
    for (const auto& b : ws::convert::planTorchModel(set, separate).blocks)
        separateBlocks += b.kind == "LSTM";
    EXPECT_EQ(separateBlocks, 2u);
}

TEST(ConvertRecognition, BidirectionalRolesAndGruParams) {
    WS_REQUIRE_FIXTURE(bi, "keras/bidirectional_lstm_keras2_1.h5");
    auto model = ws::openModel(bi);
    const LayerSet set = ws::layers::recognizeKerasLayers(*model);
    const auto& l = layerNamed(set, "bidirectional_1");
    EXPECT_EQ(l.kind, "LSTM");
    EXPECT_EQ(l.sourceClass, "Bidirectional");
    EXPECT_TRUE(l.params.value("bidirectional", false));
    EXPECT_EQ(l.params.value("merge_mode", ""), "concat");
    EXPECT_TRUE(l.tensors.count("kernel"));
    EXPECT_TRUE(l.tensors.count("backward.kernel"));
    EXPECT_NE(l.tensors.at("backward.kernel")->path.find("backward"), std::string::npos);

    WS_REQUIRE_FIXTURE(gru, "keras/gru_relu_keras240_iwillbeaprogramer.h5");
    auto g = ws::openModel(gru);
    const LayerSet gs = ws::layers::recognizeKerasLayers(*g);
    const auto& gl = layerNamed(gs, "gru_8");
    EXPECT_TRUE(gl.params.value("reset_after", false));
    EXPECT_EQ(gl.params.value("activation", ""), "relu");
    EXPECT_EQ(gl.tensors.at("bias")->tensor->shape, (std::vector<std::int64_t>{2, 150}));
}

TEST(ConvertRecognition, Keras1PerGateArraysAreAssembled) {
    WS_REQUIRE_FIXTURE(path, "keras/lstm_char_text_weights_only_keras1.h5");
    auto model = ws::openModel(path);
    const auto arch =
        nlohmann::json::parse(R"({"class_name": "Sequential", "keras_version": "1.2.2",
        "config": [{"class_name": "LSTM", "config": {"name": "lstm_1", "output_dim": 200,
                    "batch_input_shape": [null, 100, 33], "activation": "tanh",
                    "inner_activation": "hard_sigmoid", "return_sequences": false}},
                   {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 33}}]})");
    const LayerSet set = ws::layers::recognizeKerasLayers(*model, arch);
    const auto& l = layerNamed(set, "lstm_1");
    ASSERT_TRUE(l.tensors.count("kernel"));
    const auto kernel = l.tensors.at("kernel")->tensor->toDoubles();
    EXPECT_EQ(l.tensors.at("kernel")->tensor->shape, (std::vector<std::int64_t>{33, 800}));
    EXPECT_EQ(l.params.value("recurrent_activation", ""), "hard_sigmoid");
    EXPECT_EQ(l.params.value("units", 0), 200);
    // Columns 200..399 are W_f (Keras 2 order i, f, c, o), compared with the stored array.
    const ws::Node* wf = nullptr;
    model->forEachTensor([&](ws::Node& n) {
        if (n.name.find("lstm_1_W_f") != std::string::npos) wf = &n;
    });
    ASSERT_NE(wf, nullptr);
    const auto f = wf->tensor->toDoubles();
    for (std::size_t r = 0; r < 33; ++r)
        for (std::size_t c = 0; c < 200; ++c) ASSERT_EQ(kernel[r * 800 + 200 + c], f[r * 200 + c]);
    EXPECT_EQ(layerNamed(set, "dense_1").tensors.size(), 2u);
}

TEST(ConvertRecognition, RefusalsNameTheLayerAndTheReason) {
    WS_REQUIRE_FIXTURE(path, "keras/embedding_gru_timedistributed_weights_only_keras1.h5");
    auto model = ws::openModel(path);
    std::ifstream in(ws_test::kerasFixtureDir() +
                     "/embedding_gru_timedistributed_weights_only_keras1.arch.json");
    std::stringstream text;
    text << in.rdbuf();
    ws::convert::KerasToTorchOptions options;
    options.architecture = nlohmann::json::parse(text.str());
    try {
        ws::convert::convertKerasToTorch(*model, options);
        FAIL() << "GRU reset_after=False converted";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("GRU layer 'gru_1' has reset_after=False"),
                  std::string::npos)
            << e.what();
    }
    // Without any config a weights-only file cannot be recognized: the message says what to give.
    try {
        ws::layers::recognizeKerasLayers(*model);
        FAIL() << "recognized without a config";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("--config"), std::string::npos) << e.what();
    }
}

}  // namespace
