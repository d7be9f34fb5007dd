// SPDX-License-Identifier: GPL-3.0-or-later
// PyTorch layer recognition on real files: module classes when the file pickled whole modules,
// otherwise names and shapes. Expected architectures are those the fixture MANIFEST records
// from the original projects' code.
#include <gtest/gtest.h>

#include <filesystem>

#include "fixture_support.h"
#include "formats/open_model.h"
#include "layers/torch_layer_recognition.h"

namespace {

const ws::layers::SemanticLayer* find(const ws::layers::LayerSet& s, const std::string& name) {
    for (const auto& l : s.layers)
        if (l.name == name) return &l;
    return nullptr;
}

TEST(ConvertTorchRecognition, StackedLstmFromNamesAndShapes) {
    WS_REQUIRE_FIXTURE(path, "pytorch/lstm_3layer_charlm_state_dict.pth");
    auto model = ws::openModel(path);
    const auto set = ws::layers::recognizeTorchLayers(*model);
    const auto* lstm = find(set, "lstm");
    ASSERT_NE(lstm, nullptr);
    EXPECT_EQ(lstm->kind, "LSTM");
    EXPECT_EQ(lstm->params.value("num_layers", 0), 3);
    EXPECT_EQ(lstm->params.value("units", 0), 128);
    EXPECT_FALSE(lstm->params.value("bidirectional", true));
    ASSERT_NE(find(set, "embedding"), nullptr);
    EXPECT_EQ(find(set, "embedding")->kind, "Embedding");  // 2-d weight, no bias, named so
    EXPECT_EQ(find(set, "embedding")->params.value("output_dim", 0), 128);
    EXPECT_EQ(find(set, "fc")->kind, "Dense");
}

TEST(ConvertTorchRecognition, GruAndCnnWithBatchNorm) {
    WS_REQUIRE_FIXTURE(gru, "pytorch/gru_2layer_stock_state_dict.pth");
    auto g = ws::openModel(gru);
    const auto gs = ws::layers::recognizeTorchLayers(*g);
    ASSERT_NE(find(gs, "gru2"), nullptr);
    EXPECT_EQ(find(gs, "gru2")->kind, "GRU");
    EXPECT_EQ(find(gs, "gru2")->params.value("units", 0), 32);

    WS_REQUIRE_FIXTURE(cnn, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
    auto c = ws::openModel(cnn);
    const auto cs = ws::layers::recognizeTorchLayers(*c);
    ASSERT_NE(find(cs, "conv3"), nullptr);
    EXPECT_EQ(find(cs, "conv3")->kind, "Conv2D");
    EXPECT_EQ(find(cs, "conv3")->params["kernel_size"], (nlohmann::json{3, 3}));
    EXPECT_EQ(find(cs, "norm1")->kind, "BatchNormalization");
    EXPECT_TRUE(find(cs, "norm1")->tensors.count("num_batches_tracked"));
    EXPECT_EQ(find(cs, "fc1")->params.value("units", 0), 32);
}

TEST(ConvertTorchRecognition, ModuleClassesWhenPickledWhole) {
    WS_REQUIRE_FIXTURE(path, "pytorch/mlp_full_model_pickle.pth");
    auto model = ws::openModel(path);
    const auto set = ws::layers::recognizeTorchLayers(*model);
    ASSERT_EQ(set.layers.size(), 3u);
    for (const auto& l : set.layers) {
        EXPECT_EQ(l.kind, "Dense");
        EXPECT_NE(l.sourceClass.find("Linear"), std::string::npos) << l.sourceClass;
    }
}

}  // namespace
