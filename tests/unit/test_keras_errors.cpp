// SPDX-License-Identifier: GPL-3.0-or-later
// Every way a Keras file can be unreadable gives a FormatError that names the file and says
// what is wrong; recoverable problems (a broken config.json) open with a warning instead.
#include <gtest/gtest.h>

#include "formats/open_model.h"
#include "keras_test_support.h"
#include "model/error.h"

namespace {

std::string openError(const std::string& path) {
    try {
        ws::openModel(path);
    } catch (const ws::FormatError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(KerasErrors, TruncatedH5SaysTruncated) {
    WS_REQUIRE_FIXTURE(file, "keras/resnet8_cifar10_batchnorm_keras2.h5");
    auto bytes = ws_test::readFileBytes(file);
    bytes.resize(bytes.size() * 6 / 10);
    const std::string path = ws_test::tempPath("cut.h5");
    ws_test::writeFileBytes(path, bytes);
    const std::string error = openError(path);
    EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
    EXPECT_TRUE(contains(error, "truncated")) << error;
    EXPECT_TRUE(contains(error, std::to_string(bytes.size()))) << error;
    std::remove(path.c_str());
}

TEST(KerasErrors, SignatureFollowedByGarbage) {
    std::vector<std::uint8_t> bytes = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    for (int i = 0; i < 4096; ++i) bytes.push_back(std::uint8_t(i * 37 + 11));
    const std::string path = ws_test::tempPath("garbage.h5");
    ws_test::writeFileBytes(path, bytes);
    const std::string error = openError(path);
    EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
    EXPECT_TRUE(contains(error, "HDF5")) << error;
    std::remove(path.c_str());
}

// Builds a .keras-like zip with real Python zipfile from entries of the real fixture.
std::string makeArchive(const std::string& name, const std::string& recipe) {
    const std::string path = ws_test::tempPath(name);
    const char* code = R"PY(
import sys, zipfile
src, out, recipe = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(src) as z:
    entries = {n: z.read(n) for n in z.namelist()}
method = zipfile.ZIP_DEFLATED if recipe == "deflated" else zipfile.ZIP_STORED
with zipfile.ZipFile(out, "w", method) as z:
    for n, data in entries.items():
        if recipe == "bad-config" and n == "config.json":
            data = b"{ this is not json"
        if recipe == "garbage-weights" and n == "model.weights.h5":
            data = b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 8
        z.writestr(n, data)
)PY";
    const std::string src = ws_test::fixture("keras/lstm_functional_keras3.keras").value_or("");
    ws_test::runOracleOk(code, {src, path, recipe});
    return path;
}

TEST(KerasErrors, ArchiveWithDamagedWeightsNamesTheEntry) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_functional_keras3.keras");
    const std::string path = makeArchive("garbage.keras", "garbage-weights");
    const std::string error = openError(path);
    EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
    EXPECT_TRUE(contains(error, "model.weights.h5")) << error;
    std::remove(path.c_str());
}

TEST(KerasErrors, BrokenConfigStillShowsWeightsWithAWarning) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_functional_keras3.keras");
    const std::string path = makeArchive("badconfig.keras", "bad-config");
    auto model = ws::openModel(path);
    ASSERT_FALSE(model->warnings.empty());
    EXPECT_TRUE(contains(model->warnings.front(), "config.json"));
    ws::Node* stage = model->find("layers/dense_2");
    ASSERT_NE(stage, nullptr);
    EXPECT_EQ(stage->name, "stage_output");  // still known from vars@name
    EXPECT_NE(model->find("layers/lstm/cell/vars/0"), nullptr);
    std::remove(path.c_str());
}

// Deflated archives cannot be windows into the file: the entry is inflated and opened as an
// in-memory image; values must be identical to the stored original.
TEST(KerasErrors, DeflatedArchiveReadsTheSameValues) {
    WS_REQUIRE_FIXTURE(file, "keras/lstm_functional_keras3.keras");
    const std::string path = makeArchive("deflated.keras", "deflated");
    auto deflated = ws::openModel(path);
    auto stored = ws::openModel(file);
    std::size_t compared = 0;
    stored->forEachTensor([&](ws::Node& n) {
        ws::Node* other = deflated->find(n.path);
        ASSERT_NE(other, nullptr) << n.path;
        EXPECT_EQ(other->name, n.name);
        EXPECT_EQ(other->tensor->contiguousBytes(), n.tensor->contiguousBytes()) << n.path;
        ++compared;
    });
    EXPECT_EQ(compared, 44u);
    std::remove(path.c_str());
}

}  // namespace
