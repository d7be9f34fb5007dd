// SPDX-License-Identifier: GPL-3.0-or-later
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
#include "convert/template_transfer.h"
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
    WS_REQUIRE_FIXTURE(path, std::string("keras/") + name);
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
    WS_REQUIRE_FIXTURE(gru, "keras/gru_stacked_timeseries_keras3.h5");
    WS_REQUIRE_FIXTURE(lstm, "keras/lstm_stacked_timeseries_keras3.h5");
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

// The transfer dialog's per-row check (checkTemplatePairs): every pair gets its own verdict where
// the transfer stops at the first refusal, through the transfer's own conversion.
namespace {

// The template tensor a report line names, read from the model itself.
std::string shapeInModel(const ws::Model& model, const std::string& path) {
    const ws::Node* node = model.find(path);
    return node && node->tensor ? ws::shapeToString(node->tensor->shape) : "(missing)";
}

void expectSameTensors(const ws::convert::TransferPair& a, const ws::convert::TransferPair& b) {
    ASSERT_EQ(a.tensors.size(), b.tensors.size()) << a.sourceUnit;
    for (std::size_t i = 0; i < a.tensors.size(); ++i) {
        EXPECT_EQ(a.tensors[i].sourceNames, b.tensors[i].sourceNames);
        EXPECT_EQ(a.tensors[i].targetPath, b.tensors[i].targetPath);
        EXPECT_EQ(a.tensors[i].transform, b.tensors[i].transform);
        EXPECT_EQ(a.tensors[i].sourceShape, b.tensors[i].sourceShape);
        EXPECT_EQ(a.tensors[i].targetShape, b.tensors[i].targetShape);
    }
}

// Pairs exactly as the transfer made them, each checked on its own: all convert, with the
// transfer's own report lines.
void expectTransferPairsEachOk(const ws::Model& source, const ws::Model& templ) {
    auto filled = ws::openModel(templ.filePath);
    const ws::convert::TransferResult done = ws::convert::transferIntoTemplate(source, *filled);
    std::map<std::string, std::string> mapping;
    for (const auto& p : done.pairs)
        mapping[p.mappingKey.empty() ? p.sourceUnit : p.mappingKey] = p.targetLayer;
    const auto verdicts = ws::convert::checkTemplatePairs(source, templ, mapping);
    ASSERT_EQ(verdicts.size(), done.pairs.size());
    for (const auto& v : verdicts) {
        EXPECT_TRUE(v.ok()) << v.refusal;
        bool found = false;
        for (const auto& p : done.pairs)
            if (p.targetLayer == v.pair.targetLayer) {
                found = true;
                EXPECT_EQ(p.sourceUnit, v.pair.sourceUnit);
                expectSameTensors(p, v.pair);
            }
        EXPECT_TRUE(found) << v.pair.targetLayer;
    }
    EXPECT_TRUE(ws::editedStorages(templ).empty());
}

}  // namespace

TEST(TemplatePairCheck, EverySwappedStackLevelGetsItsOwnVerdict) {
    WS_REQUIRE_FIXTURE(lstm, "keras/lstm_stacked_timeseries_keras3.h5");
    auto torch = torchVersionOf(lstm, "pair_check_swapped");
    auto templ = ws::openModel(lstm);
    expectTransferPairsEachOk(*torch, *templ);

    // The levels swapped: the transfer refuses at the first; each pair has its own reason.
    const std::map<std::string, std::string> swapped = {
        {"lstm[0]", "lstm_1"}, {"lstm[1]", "lstm"}, {"dense", "dense"}};
    ws::convert::TransferOptions options;
    options.mapping = swapped;
    EXPECT_THROW(ws::convert::transferIntoTemplate(*torch, *templ, options), ws::FormatError);
    const auto verdicts = ws::convert::checkTemplatePairs(*torch, *templ, swapped);
    ASSERT_EQ(verdicts.size(), 3u);
    for (const auto& v : verdicts) {
        const bool stackLevel = v.pair.sourceUnit.rfind("lstm[", 0) == 0;
        EXPECT_EQ(v.ok(), !stackLevel) << v.pair.sourceUnit << ": " << v.refusal;
        // Every tensor of the pair is listed, refused or not, with the template's real shape.
        ASSERT_EQ(v.pair.tensors.size(), stackLevel ? 3u : 2u) << v.pair.sourceUnit;
        for (const auto& t : v.pair.tensors)
            EXPECT_EQ(t.targetShape, shapeInModel(*templ, t.targetPath)) << t.targetPath;
        if (stackLevel) {
            EXPECT_NE(v.refusal.find("'" + v.pair.sourceUnit + "'"), std::string::npos);
            EXPECT_NE(v.refusal.find("'" + v.pair.targetLayer + "'"), std::string::npos);
        }
    }
    // Level 0 reads 1 input feature, level 1 reads the 50 of level 0: each names its own kernel
    // (the verdicts come in the map's order: dense, lstm[0], lstm[1]).
    EXPECT_NE(verdicts[1].refusal.find("weight_ih_l0 (200, 1)"), std::string::npos)
        << verdicts[1].refusal;
    EXPECT_NE(verdicts[2].refusal.find("weight_ih_l1 (200, 50)"), std::string::npos)
        << verdicts[2].refusal;
    EXPECT_TRUE(ws::editedStorages(*templ).empty());

    // A name neither side has is that pair's refusal, not the whole check's.
    const auto unknown =
        ws::convert::checkTemplatePairs(*torch, *templ, {{"nope", "dense"}, {"dense", "dense"}});
    ASSERT_EQ(unknown.size(), 2u);
    EXPECT_TRUE(unknown[0].ok());  // "dense" sorts first
    EXPECT_NE(unknown[1].refusal.find("no weighted layer 'nope'"), std::string::npos);
}

TEST(TemplatePairCheck, KerasIntoTorchTemplatePairsEachChecked) {
    WS_REQUIRE_FIXTURE(lstm, "keras/lstm_stacked_timeseries_keras3.h5");
    auto keras = ws::openModel(lstm);
    auto torch = torchVersionOf(lstm, "pair_check_reverse");
    // torchVersionOf removed its file; the template needs one to reopen.
    const std::string pth = (std::filesystem::path(testing::TempDir()) /
                             ("pair_check_reverse_" + std::to_string(::getpid()) + ".pth"))
                                .string();
    ws::exportModel(*torch, pth);
    auto templ = ws::openModel(pth);
    expectTransferPairsEachOk(*keras, *templ);

    // The LSTM module into the Dense one and back: both refused, each naming its own modules.
    const std::map<std::string, std::string> crossed = {{"lstm", "dense"}, {"dense", "lstm"}};
    const auto verdicts = ws::convert::checkTemplatePairs(*keras, *templ, crossed);
    ASSERT_EQ(verdicts.size(), 2u);
    for (const auto& v : verdicts) {
        EXPECT_FALSE(v.ok());
        EXPECT_NE(v.refusal.find("module '" + v.pair.mappingKey + "'"), std::string::npos)
            << v.refusal;
        EXPECT_NE(v.refusal.find("are different kinds of layer"), std::string::npos) << v.refusal;
    }
    std::filesystem::remove(pth);
}
