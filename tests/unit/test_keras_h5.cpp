// SPDX-License-Identifier: GPL-3.0-or-later
// Keras HDF5 reader against the real fixtures: every dataset h5py sees appears with the same
// shape, dtype and values; layer structure, classes and names for each file variant.
#include <gtest/gtest.h>

#include <cmath>

#include "formats/open_model.h"
#include "keras_test_support.h"
#include "model/error.h"
#include "model/tensor.h"

namespace {

using ws::Node;
using ws::NodeKind;

std::vector<std::int64_t> shapeOf(const Node& n) {
    return n.tensor ? n.tensor->shape : std::vector<std::int64_t>{};
}

std::size_t countKind(const Node& n, NodeKind kind) {
    std::size_t c = n.kind == kind ? 1 : 0;
    for (const auto& child : n.children) c += countKind(*child, kind);
    return c;
}

std::vector<std::string> layerNamesFromH5py(const std::string& file, const std::string& group) {
    const char* code = R"PY(
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    g = f[sys.argv[2]]
    names = g.attrs["layer_names"] if "layer_names" in g.attrs else []
    for n in names:
        print(n.decode() if isinstance(n, bytes) else n)
)PY";
    std::vector<std::string> out;
    std::istringstream lines(ws_test::runOracleOk(code, {file, group}));
    std::string line;
    while (std::getline(lines, line)) out.push_back(line);
    return out;
}

// Every dataset of every fixture, compared with h5py: present at its HDF5 path, same shape,
// dtype, element sum and first element; and opening reads no tensor bytes.
TEST(KerasH5, EveryFixtureMatchesH5py) {
    const auto files = ws_test::allKerasWeightFiles();
    if (files.empty()) {
        std::printf("SKIP: no Keras fixtures under %s\n", ws_test::kerasFixtureDir().c_str());
        GTEST_SKIP();
    }
    for (const std::string& file : files) {
        SCOPED_TRACE(file);
        const std::uint64_t before = ws::Tensor::bytesRead().load();
        auto model = ws::openModel(file);
        EXPECT_EQ(ws::Tensor::bytesRead().load(), before) << "opening read tensor data";
        const auto oracle = ws_test::h5pyDatasets(file);
        ASSERT_FALSE(oracle.empty());
        std::size_t tensors = 0;
        model->forEachTensor([&](Node&) { ++tensors; });
        EXPECT_EQ(tensors, oracle.size());
        for (const auto& [path, expected] : oracle) {
            SCOPED_TRACE(path);
            Node* node = model->find(path);
            ASSERT_NE(node, nullptr) << "dataset missing from the tree";
            ASSERT_EQ(node->kind, NodeKind::Tensor);
            std::vector<std::int64_t> shape(expected.shape.begin(), expected.shape.end());
            EXPECT_EQ(shapeOf(*node), shape);
            EXPECT_EQ(ws::dtypeName(node->tensor->dtype), expected.dtype);
            const auto values = node->tensor->toDoubles();
            ASSERT_EQ(values.size(), expected.size);
            double sum = 0, absSum = 0;
            for (double v : values) {
                sum += v;
                absSum += std::fabs(v);
            }
            EXPECT_NEAR(sum, expected.sum, 1e-9 * (1 + absSum));
            if (!values.empty()) {
                EXPECT_EQ(values.front(), expected.first);
            }
        }
    }
}

TEST(KerasH5, Keras2FullModelLayersClassesAndOptimizer) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_stacked_timeseries_keras2.h5");
    auto model = ws::openModel(file);
    EXPECT_EQ(model->format, "keras-h5");
    EXPECT_EQ(model->formatDetail, "Keras 2.15.0 full model, backend tensorflow");

    Node* weights = model->find("model_weights");
    ASSERT_NE(weights, nullptr);
    // Layer nodes in layer_names order, classes from model_config.
    const auto names = layerNamesFromH5py(file, "model_weights");
    ASSERT_EQ(names.size(), 9u);
    ASSERT_EQ(weights->children.size(), names.size() + 1);  // + top_level_model_weights
    for (std::size_t i = 0; i < names.size(); ++i) {
        EXPECT_EQ(weights->children[i]->name, names[i]);
        EXPECT_EQ(weights->children[i]->kind, NodeKind::Layer);
    }
    Node* lstm = model->find("model_weights/lstm");
    ASSERT_NE(lstm, nullptr);
    EXPECT_EQ(lstm->className, "LSTM");
    ASSERT_NE(lstm->attribute("config"), nullptr);
    EXPECT_NE(lstm->attribute("config")->find("\"units\":50"), std::string::npos);
    EXPECT_EQ(model->find("model_weights/dropout")->className, "Dropout");
    EXPECT_EQ(model->find("model_weights/dense")->className, "Dense");

    Node* kernel = model->find("model_weights/lstm/lstm/lstm_cell/kernel:0");
    ASSERT_NE(kernel, nullptr);
    EXPECT_EQ(kernel->parent, lstm);
    EXPECT_EQ(kernel->name, "lstm_cell/kernel:0");
    EXPECT_EQ(shapeOf(*kernel), (std::vector<std::int64_t>{1, 200}));
    EXPECT_EQ(shapeOf(*model->find("model_weights/lstm_3/lstm_3/lstm_cell/kernel:0")),
              (std::vector<std::int64_t>{80, 480}));

    // Optimizer state is kept apart from the model's weights.
    Node* optimizer = model->find("optimizer_weights");
    ASSERT_NE(optimizer, nullptr);
    EXPECT_EQ(optimizer->parent, model->root.get());
    EXPECT_EQ(countKind(*optimizer, NodeKind::Tensor), 29u);
    EXPECT_EQ(countKind(*weights, NodeKind::Tensor), 14u);

    Node* config = model->find("@model_config");
    ASSERT_NE(config, nullptr);
    EXPECT_EQ(config->valueType, "json");
    EXPECT_EQ(config->value.rfind("{\"class_name\": \"Sequential\"", 0), 0u);
    EXPECT_EQ(model->find("@keras_version")->value, "2.15.0");
    EXPECT_EQ(model->find("@training_config")->valueType, "json");
}

TEST(KerasH5, Keras1WeightsOnlyPerGateArrays) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_char_text_weights_only_keras1.h5");
    auto model = ws::openModel(file);
    EXPECT_EQ(model->format, "keras-h5");
    EXPECT_NE(model->formatDetail.find("Keras 1.x weights only"), std::string::npos);
    EXPECT_EQ(model->find("@backend"), nullptr);
    Node* lstm = model->find("lstm_1");
    ASSERT_NE(lstm, nullptr);
    EXPECT_EQ(lstm->kind, NodeKind::Layer);
    EXPECT_EQ(lstm->parent, model->root.get());
    EXPECT_EQ(lstm->children.size(), 12u);  // W/U/b for each of the gates i, c, f, o
    EXPECT_EQ(lstm->children.front()->name, "lstm_1_W_i:0");  // weight_names order
    EXPECT_EQ(shapeOf(*model->find("lstm_1/lstm_1_U_f:0")), (std::vector<std::int64_t>{200, 200}));
    Node* activation = model->find("activation_1");
    ASSERT_NE(activation, nullptr);
    EXPECT_TRUE(activation->children.empty());
    EXPECT_EQ(*activation->attribute("weight_names"), "[]");  // empty float array
}

TEST(KerasH5, TheanoNamesWithoutColonZero) {
    WS_REQUIRE_FIXTURE(file, "keras/conv2d_full_model_keras2_theano.h5");
    auto model = ws::openModel(file);
    EXPECT_EQ(model->formatDetail, "Keras 2.1.3 full model, backend theano");
    Node* kernel = model->find("model_weights/conv2d_1/conv2d_1/kernel");
    ASSERT_NE(kernel, nullptr);
    EXPECT_EQ(kernel->name, "kernel");
    EXPECT_EQ(shapeOf(*kernel), (std::vector<std::int64_t>{3, 3, 5, 6}));
    EXPECT_EQ(kernel->parent->className, "Conv2D");
}

TEST(KerasH5, NestedModelsGetInnerLayerNodes) {
    WS_REQUIRE_FIXTURE(file, "keras/nested_sequential_mobilenetv2_teachable_machine_keras2.h5");
    auto model = ws::openModel(file);
    Node* outer = model->find("model_weights/sequential_1");
    ASSERT_NE(outer, nullptr);
    EXPECT_EQ(outer->className, "Sequential");
    Node* conv1 = model->find("model_weights/sequential_1/Conv1");
    ASSERT_NE(conv1, nullptr);
    EXPECT_EQ(conv1->kind, NodeKind::Layer);
    EXPECT_EQ(conv1->className, "Conv2D");  // found inside the nested MobileNetV2 config
    EXPECT_EQ(conv1->parent, outer);
    Node* kernel = model->find("model_weights/sequential_1/Conv1/kernel:0");
    ASSERT_NE(kernel, nullptr);
    EXPECT_EQ(kernel->parent, conv1);
    EXPECT_EQ(kernel->name, "kernel:0");
    EXPECT_EQ(model->find("model_weights/sequential_1/expanded_conv_depthwise")->className,
              "DepthwiseConv2D");
    Node* head = model->find("model_weights/sequential_3/dense_Dense1");
    ASSERT_NE(head, nullptr);
    EXPECT_EQ(head->className, "Dense");
    EXPECT_EQ(shapeOf(*model->find("model_weights/sequential_3/dense_Dense1/kernel:0")),
              (std::vector<std::int64_t>{1280, 100}));
    EXPECT_EQ(countKind(*model->root, NodeKind::Tensor), 263u);
}

TEST(KerasH5, Keras3LegacyH5DropsModelNamePrefix) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_stacked_timeseries_keras3.h5");
    auto model = ws::openModel(file);
    EXPECT_EQ(model->formatDetail, "Keras 3.10.0 legacy HDF5 full model, backend tensorflow");
    Node* kernel = model->find("model_weights/lstm/sequential/lstm/lstm_cell/kernel");
    ASSERT_NE(kernel, nullptr);
    EXPECT_EQ(kernel->name, "lstm_cell/kernel");
    EXPECT_EQ(kernel->parent->path, "model_weights/lstm");
    EXPECT_EQ(kernel->parent->className, "LSTM");
    Node* dense = model->find("model_weights/dense/sequential/dense/kernel");
    ASSERT_NE(dense, nullptr);
    EXPECT_EQ(dense->name, "kernel");
    EXPECT_NE(model->find("model_weights/top_level_model_weights"), nullptr);
    EXPECT_EQ(countKind(*model->find("optimizer_weights"), NodeKind::Tensor), 18u);
}

TEST(KerasH5, FixedLengthLayerNamesAndClasses) {
    WS_REQUIRE_FIXTURE(file, "keras/resnet8_cifar10_batchnorm_keras2.h5");
    auto model = ws::openModel(file);
    const auto names = layerNamesFromH5py(file, "model_weights");
    ASSERT_EQ(names.size(), 30u);
    for (const auto& name : names) {
        Node* layer = model->find("model_weights/" + name);
        ASSERT_NE(layer, nullptr) << name;
        EXPECT_EQ(layer->kind, NodeKind::Layer);
        EXPECT_FALSE(layer->className.empty()) << name;
    }
    EXPECT_EQ(model->find("model_weights/batch_normalization_3")->className, "BatchNormalization");
    EXPECT_EQ(model->find("model_weights/conv2d")->className, "Conv2D");
    EXPECT_EQ(model->find("model_weights/conv2d/conv2d/kernel:0")->name, "kernel:0");
}

TEST(KerasH5, BidirectionalKeepsDirectionInTensorNames) {
    WS_REQUIRE_FIXTURE(file, "keras/bidirectional_lstm_keras2_1.h5");
    auto model = ws::openModel(file);
    Node* layer = model->find("model_weights/bidirectional_1");
    ASSERT_NE(layer, nullptr);
    EXPECT_EQ(layer->className, "Bidirectional");
    ASSERT_EQ(layer->children.size(), 6u);
    EXPECT_NE(layer->findChild("forward_lstm_1/kernel:0"), nullptr);
    EXPECT_NE(layer->findChild("backward_lstm_1/recurrent_kernel:0"), nullptr);
}

TEST(KerasH5, SaveWeightsFileWithTopLevelModelWeights) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_relu_keras212_weights_rishigupta.h5");
    auto model = ws::openModel(file);
    EXPECT_EQ(model->formatDetail, "Keras 2.12.0 weights only (save_weights), backend tensorflow");
    Node* top = model->find("top_level_model_weights");
    ASSERT_NE(top, nullptr);
    EXPECT_EQ(top->parent, model->root.get());
    Node* lstm = model->find("lstm_7");
    ASSERT_NE(lstm, nullptr);
    EXPECT_EQ(lstm->className, "");  // weights-only: no config to take classes from
    EXPECT_NE(model->find("lstm_7/lstm_7/lstm_cell_7/recurrent_kernel:0"), nullptr);
    Node* names = model->find("@layer_names");
    ASSERT_NE(names, nullptr);
    EXPECT_EQ(names->value, "[\"lstm_7\",\"dense_7\"]");
}

}  // namespace
