// PyTorch -> Keras transfer into a template, on real Keras files: a Keras model converted to a
// PyTorch state_dict (the Keras -> PyTorch direction, exported as a real .pth) and transferred
// back into the same file as template must reproduce every weight bit for bit (the rules are
// exact inverses; the PyTorch bias_hh is zero, so the summed bias is exact). Refusals leave the
// template unedited and name both layers.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "convert/keras_to_torch.h"
#include "convert/torch_to_keras_transfer.h"
#include "edit/edit_ops.h"
#include "edit/editable_storage.h"
#include "export/export_model.h"
#include "formats/open_model.h"
#include "keras_test_support.h"
#include "layers/keras_layer_recognition.h"
#include "model/error.h"

namespace {

// The Keras file converted to a PyTorch state_dict written as a .pth, opened again.
std::unique_ptr<ws::Model> torchVersionOf(const std::string& kerasPath, const std::string& stem) {
    auto keras = ws::openModel(kerasPath);
    const ws::convert::KerasToTorchResult result =
        ws::convert::convertKerasToTorch(*keras, ws::convert::KerasToTorchOptions());
    const std::string pth = (std::filesystem::path(testing::TempDir()) /
                             (stem + "_" + std::to_string(::getpid()) + ".pth"))
                                .string();
    ws::exportModel(*result.stateDict, pth);
    auto model = ws::openModel(pth);
    std::filesystem::remove(pth);
    return model;
}

void expectRoundTrip(const char* name) {
    const std::string path = ws_test::kerasFixture(name);
    if (path.empty()) {
        std::printf("SKIP: fixture %s not found\n", name);
        GTEST_SKIP();
    }
    // ctest runs each test in its own process, in parallel: the temp name must be this test's.
    auto torch = torchVersionOf(path, std::string("transfer_round_trip_") + name);
    auto original = ws::openModel(path);
    auto target = ws::openModel(path);
    // Zero the template's weights first, so only the transfer can bring the values back.
    const ws::layers::LayerSet set = ws::layers::recognizeKerasLayers(*original);
    for (const auto& layer : set.layers)
        for (const auto& [role, node] : layer.tensors)
            ws::applyEdit(*target, ws::Edit::set(node->path, ws::parseRegion("..."),
                                                 ws::Scalar::fromReal(0.0)));
    const ws::convert::TransferResult result = ws::convert::transferTorchToKeras(*torch, *target);
    std::size_t weights = 0;
    for (const auto& layer : set.layers)
        for (const auto& [role, node] : layer.tensors) {
            const ws::Node* written = target->find(node->path);
            ASSERT_NE(written, nullptr) << node->path;
            EXPECT_EQ(written->tensor->contiguousBytes(), node->tensor->contiguousBytes())
                << name << ": " << node->path;
            ++weights;
        }
    EXPECT_EQ(result.tensorsWritten, weights);
    EXPECT_EQ(ws::editedStorages(*target).size(), weights);
}

TEST(ConvertTransfer, LstmStackRoundTripsBitForBit) {
    expectRoundTrip("lstm_stacked_timeseries_keras3.h5");
}
TEST(ConvertTransfer, GruStackRoundTripsBitForBit) {
    expectRoundTrip("gru_stacked_timeseries_keras3.h5");
}
TEST(ConvertTransfer, CnnWithFlattenRoundTripsBitForBit) {
    expectRoundTrip("cnn_bn_keras2_alexfox.h5");
}

TEST(ConvertTransfer, WrongKindIsRefusedAndTemplateUntouched) {
    WS_KERAS_FIXTURE(gru, "gru_stacked_timeseries_keras3.h5");
    WS_KERAS_FIXTURE(lstm, "lstm_stacked_timeseries_keras3.h5");
    auto torch = torchVersionOf(gru, "transfer_wrong_kind");
    auto target = ws::openModel(lstm);
    try {
        ws::convert::transferTorchToKeras(*torch, *target);
        FAIL() << "a GRU went into an LSTM template";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("source layer 'gru[0]' (GRU) and template layer "
                                             "'lstm' (LSTM) are different kinds of layer"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(ws::editedStorages(*target).empty());
}

TEST(ConvertTransfer, MappingFileForms) {
    EXPECT_EQ(ws::convert::parseTransferMapping(nlohmann::json::parse(R"({"fc": "dense"})")),
              (std::map<std::string, std::string>{{"fc", "dense"}}));
    EXPECT_EQ(ws::convert::parseTransferMapping(
                  nlohmann::json::parse(R"([{"source": "lstm[1]", "target": "lstm_1"}])")),
              (std::map<std::string, std::string>{{"lstm[1]", "lstm_1"}}));
    EXPECT_THROW(ws::convert::parseTransferMapping(nlohmann::json::parse("[1]")), ws::FormatError);
    EXPECT_THROW(ws::convert::parseTransferMapping(nlohmann::json::parse(R"({"fc": 3})")),
                 ws::FormatError);
}

}  // namespace
