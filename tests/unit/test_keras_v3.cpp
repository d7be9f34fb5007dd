// SPDX-License-Identifier: GPL-3.0-or-later
// Keras 3 layouts: the native .keras zip (config.json + model.weights.h5 opened in place) and
// bare .weights.h5 files. Weight groups are named after classes (lstm, dense_2...), the tree
// shows the config's layer names with variable names, while paths stay the HDF5 paths.
#include <gtest/gtest.h>

#include "formats/open_model.h"
#include "keras_test_support.h"
#include "model/error.h"

namespace {

using ws::Node;
using ws::NodeKind;

std::vector<std::int64_t> shapeOf(const Node* n) {
    return n && n->tensor ? n->tensor->shape : std::vector<std::int64_t>{};
}

TEST(KerasV3, FunctionalArchiveMapsWeightGroupsToConfigLayers) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_functional_keras3.keras");
    auto model = ws::openModel(file);
    EXPECT_EQ(model->format, "keras-v3");
    EXPECT_EQ(model->formatDetail.rfind("Keras 3.13.2 native .keras archive", 0), 0u);

    Node* lstm = model->find("layers/lstm");
    ASSERT_NE(lstm, nullptr);
    EXPECT_EQ(lstm->kind, NodeKind::Layer);
    EXPECT_EQ(lstm->name, "lstm_4");  // the config's name, not the weight group's
    EXPECT_EQ(lstm->className, "LSTM");
    Node* kernel = model->find("layers/lstm/cell/vars/0");
    ASSERT_NE(kernel, nullptr);
    EXPECT_EQ(kernel->name, "kernel");
    EXPECT_EQ(kernel->parent->name, "cell");
    EXPECT_EQ(kernel->parent->parent, lstm);
    EXPECT_EQ(shapeOf(kernel), (std::vector<std::int64_t>{5, 256}));
    EXPECT_EQ(model->find("layers/lstm/cell/vars/1")->name, "recurrent_kernel");
    EXPECT_EQ(model->find("layers/lstm/cell/vars/2")->name, "bias");
    EXPECT_EQ(model->find("layers/lstm_1")->name, "lstm_5");

    Node* stage = model->find("layers/dense_2");
    ASSERT_NE(stage, nullptr);
    EXPECT_EQ(stage->name, "stage_output");
    EXPECT_EQ(stage->className, "Dense");
    EXPECT_EQ(model->find("layers/dense_2/vars/0")->name, "kernel");
    EXPECT_EQ(shapeOf(model->find("layers/dense_3/vars/0")), (std::vector<std::int64_t>{16, 1}));
    EXPECT_EQ(model->find("layers/dense_3")->name, "discharge_output");

    // Layers appear in the config's order.
    std::vector<std::string> order;
    for (const auto& child : model->root->children)
        if (child->kind == NodeKind::Layer) order.push_back(child->name);
    EXPECT_EQ(order, (std::vector<std::string>{"input_layer_2", "lstm_4", "dropout_4", "lstm_5",
                                               "dropout_5", "dense_4", "dense_5", "stage_output",
                                               "discharge_output"}));

    // Optimizer variables are a separate top-level group.
    Node* optimizer = model->find("optimizer");
    ASSERT_NE(optimizer, nullptr);
    EXPECT_EQ(optimizer->className, "Adam");
    EXPECT_EQ(optimizer->parent, model->root.get());
    Node* iterations = model->find("optimizer/vars/0");
    ASSERT_NE(iterations, nullptr);
    EXPECT_EQ(iterations->parent, optimizer);
    EXPECT_EQ(ws::dtypeName(iterations->tensor->dtype), std::string("i64"));

    Node* config = model->find("config.json");
    ASSERT_NE(config, nullptr);
    EXPECT_EQ(config->valueType, "json");
    ASSERT_NE(model->find("metadata.json"), nullptr);
    EXPECT_NE(model->find("metadata.json")->value.find("3.13.2"), std::string::npos);
}

// The archive stores model.weights.h5 uncompressed: its contiguous datasets are windows into
// the mapped archive, not copies.
TEST(KerasV3, StoredWeightsAreZeroCopyWindows) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_functional_keras3.keras");
    auto model = ws::openModel(file);
    Node* kernel = model->find("layers/lstm/cell/vars/0");
    ASSERT_NE(kernel, nullptr);
    ASSERT_NE(kernel->tensor->storage->data(), nullptr);
    EXPECT_EQ(kernel->tensor->storage->size(), 5u * 256u * 4u);
}

TEST(KerasV3, UnknownCustomClassesKeepAllTensors) {
    WS_REQUIRE_FIXTURE(file, "keras/qkeras_dense_3layer_keras3.keras");
    auto model = ws::openModel(file);
    Node* fc1 = model->find("layers/q_dense");
    ASSERT_NE(fc1, nullptr);
    EXPECT_EQ(fc1->name, "fc1");
    EXPECT_EQ(fc1->className, "QDense");
    EXPECT_EQ(shapeOf(model->find("layers/q_dense/vars/0")), (std::vector<std::int64_t>{16, 64}));
    EXPECT_EQ(model->find("layers/q_dense_3")->name, "output");
    EXPECT_EQ(model->find("layers/q_activation_1")->name, "relu2");
    EXPECT_EQ(model->find("layers/q_activation_1")->className, "QActivation");
    std::size_t tensors = 0;
    model->forEachTensor([&](Node&) { ++tensors; });
    EXPECT_EQ(tensors, 8u);
}

TEST(KerasV3, BareWeightsFileUsesSavedLayerNames) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_functional_keras3.weights.h5");
    auto model = ws::openModel(file);
    EXPECT_EQ(model->format, "keras-weights-h5");
    Node* stage = model->find("layers/dense_2");
    ASSERT_NE(stage, nullptr);
    EXPECT_EQ(stage->name, "stage_output");  // from vars@name
    EXPECT_EQ(stage->className, "");         // no config: the class is not claimed
    EXPECT_EQ(model->find("layers/dense_2/vars/0")->name, "kernel");
    EXPECT_EQ(model->find("layers/lstm_1/cell/vars/1")->name, "recurrent_kernel");
    std::size_t tensors = 0;
    model->forEachTensor([&](Node&) { ++tensors; });
    EXPECT_EQ(tensors, 44u);
}

// The same 44 datasets in the .keras archive and the bare .weights.h5 (MANIFEST: equal data).
TEST(KerasV3, ArchiveAndWeightsFileHoldTheSameValues) {
    WS_REQUIRE_FIXTURE(archive, "keras/lstm_functional_keras3.keras");
    WS_REQUIRE_FIXTURE(weights, "keras/lstm_functional_keras3.weights.h5");
    auto a = ws::openModel(archive);
    auto b = ws::openModel(weights);
    std::size_t compared = 0;
    a->forEachTensor([&](Node& n) {
        Node* other = b->find(n.path);
        ASSERT_NE(other, nullptr) << n.path;
        EXPECT_EQ(n.tensor->contiguousBytes(), other->tensor->contiguousBytes()) << n.path;
        ++compared;
    });
    EXPECT_EQ(compared, 44u);
}

}  // namespace
