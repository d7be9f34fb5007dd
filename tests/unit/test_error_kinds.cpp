// SPDX-License-Identifier: GPL-3.0-or-later
// Errors carry their kind, file and cause as fields: the disk (IoError), the content
// (FormatError) and an edit the tensor cannot take (EditRefused) are told apart by type, and a
// message names its file exactly once however many layers rethrow it. The format of an opened
// file is an enum, and its framework follows from it.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "edit/edit_ops.h"
#include "edit/region.h"
#include "edit_test_support.h"
#include "formats/open_model.h"
#include "model/error.h"
#include "save/save_model.h"

namespace {

std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

TEST(ErrorKinds, AMissingFileIsAnIoErrorNamingTheFileOnce) {
    const std::string path = ws_test::tempPath("does_not_exist.pth");
    try {
        ws::openModel(path);
        FAIL() << "opening a missing file succeeded";
    } catch (const ws::IoError& e) {
        EXPECT_EQ(e.kind(), ws::ErrorKind::Io);
        EXPECT_EQ(e.file(), path);
        EXPECT_NE(e.cause().find("No such file or directory"), std::string::npos) << e.cause();
        EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
        EXPECT_EQ(occurrences(e.what(), path), 1u) << e.what();
    }
}

TEST(ErrorKinds, DamagedContentIsAFormatErrorNamingTheFileOnce) {
    const std::string path = ws_test::tempPath("noise.pth");
    std::ofstream(path) << "PK\x03\x04 this is not a zip archive at all";
    try {
        ws::openModel(path);
        FAIL() << "opening noise succeeded";
    } catch (const ws::FormatError& e) {
        EXPECT_EQ(e.kind(), ws::ErrorKind::Format);
        EXPECT_EQ(e.file(), path);
        EXPECT_FALSE(e.cause().empty());
        EXPECT_EQ(occurrences(e.what(), path), 1u) << e.what();
    }
}

TEST(ErrorKinds, SavingIntoAMissingFolderIsAnIoErrorNamingTheFileOnce) {
    const std::string example = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (example.empty()) GTEST_SKIP();
    auto model = ws::openModel(example);
    EXPECT_EQ(model->format, ws::Format::TorchZip);
    EXPECT_EQ(ws::frameworkOf(model->format), ws::Framework::PyTorch);
    EXPECT_STREQ(ws::formatName(model->format), "torch-zip");
    const std::string out = ws_test::tempPath("no_such_dir") + "/out.pth";
    try {
        ws::saveModel(*model, out);
        FAIL() << "saving into a missing folder succeeded";
    } catch (const ws::IoError& e) {
        EXPECT_EQ(e.file(), out);
        EXPECT_EQ(occurrences(e.what(), out), 1u) << e.what();
    }
}

TEST(ErrorKinds, AnEditOutsideTheTensorIsRefusedNotAFormatError) {
    const std::string example = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (example.empty()) GTEST_SKIP();
    auto model = ws::openModel(example);
    const ws::Edit edit =
        ws::Edit::set("linear.bias", ws::parseRegion("5"), ws::Scalar::fromReal(1));
    EXPECT_THROW(ws::applyEdit(*model, edit), ws::EditRefused);
    try {
        ws::applyEdit(*model, edit);
    } catch (const ws::Error& e) {
        EXPECT_EQ(e.kind(), ws::ErrorKind::RefusedEdit);
        EXPECT_NE(std::string(e.what()).find("linear.bias"), std::string::npos) << e.what();
    }
}

TEST(ErrorKinds, FrameworkFollowsTheFormat) {
    EXPECT_EQ(ws::frameworkOf(ws::Format::KerasH5), ws::Framework::Keras);
    EXPECT_EQ(ws::frameworkOf(ws::Format::KerasV3), ws::Framework::Keras);
    EXPECT_EQ(ws::frameworkOf(ws::Format::KerasWeightsH5), ws::Framework::Keras);
    EXPECT_EQ(ws::frameworkOf(ws::Format::TorchLegacy), ws::Framework::PyTorch);
    EXPECT_EQ(ws::frameworkOf(ws::Format::TorchScript), ws::Framework::PyTorch);
    EXPECT_EQ(ws::frameworkOf(ws::Format::Safetensors), ws::Framework::None);
    EXPECT_STREQ(ws::formatName(ws::Format::Unknown), "");
}

}  // namespace
