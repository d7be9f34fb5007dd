// SPDX-License-Identifier: GPL-3.0-or-later
// Damaged Keras files never crash or hang the reader: truncated copies and random byte flips
// of every Keras fixture either open (and every tensor then reads or throws FormatError) or
// throw FormatError. libhdf5 itself crashes or loops on some of these inputs (damaged global
// heaps behind variable-length strings); the reader rehearses the metadata walk in a child
// process, so this test would die with the crash if that protection were missing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "formats/open_model.h"
#include "keras_test_support.h"
#include "model/error.h"

// libhdf5 1.10 leaks a few hundred bytes on some error paths for damaged files (not our
// allocations); sanitized builds of this test binary would otherwise fail at exit. The CLI and
// fuzzers get the same suppression from tests/formats/lsan_libhdf5.supp.
extern "C" const char* __lsan_default_suppressions() { return "leak:libhdf5_serial.so\n"; }

namespace {

// Opens `bytes` as a file; returns "" when it opened and all tensors were readable or failed
// cleanly, "FormatError" when opening failed cleanly, else a description of the wrong outcome.
std::string tryOpen(const std::vector<std::uint8_t>& bytes, const std::string& scratch) {
    ws_test::writeFileBytes(scratch, bytes);
    try {
        auto model = ws::openModel(scratch);
        std::string problem;
        model->forEachTensor([&](ws::Node& n) {
            try {
                n.tensor->toDoubles();
            } catch (const ws::FormatError&) {
            } catch (const std::exception& e) {
                problem = "reading " + n.path + " threw " + e.what();
            }
        });
        return problem;
    } catch (const ws::FormatError& e) {
        if (std::string(e.what()).rfind(scratch + ": ", 0) != 0)
            return std::string("FormatError without the file name: ") + e.what();
        return "FormatError";
    } catch (const std::exception& e) {
        return std::string("non-FormatError exception: ") + e.what();
    }
}

class KerasRobustness : public ::testing::Test {
  protected:
    // Hanging walks are cut short after 3 s instead of 20 so the test stays quick.
    void SetUp() override { setenv("WS_HDF5_WALK_TIMEOUT", "3", 1); }
    void TearDown() override { unsetenv("WS_HDF5_WALK_TIMEOUT"); }
};

TEST_F(KerasRobustness, TruncatedCopiesOfEveryFixture) {
    const auto files = ws_test::allKerasWeightFiles();
    if (files.empty()) {
        std::printf("SKIP: no Keras fixtures under %s\n", ws_test::kerasFixtureDir().c_str());
        GTEST_SKIP();
    }
    const std::string scratch = ws_test::tempPath("truncated.h5");
    for (const auto& file : files) {
        const auto original = ws_test::readFileBytes(file);
        ASSERT_GT(original.size(), 1000u);
        int rejected = 0;
        constexpr int kCuts = 20;
        for (int i = 0; i < kCuts; ++i) {
            // Cuts spread over the file plus a few inside the first kilobyte (superblock,
            // root group, zip local header).
            std::size_t cut =
                i < 4 ? std::size_t(i) * 300 : original.size() * std::size_t(i - 3) / (kCuts - 3);
            if (cut >= original.size()) cut = original.size() - 1;
            std::vector<std::uint8_t> bytes(original.begin(),
                                            original.begin() + std::ptrdiff_t(cut));
            const std::string outcome = tryOpen(bytes, scratch);
            EXPECT_TRUE(outcome.empty() || outcome == "FormatError")
                << file << " cut at " << cut << ": " << outcome;
            rejected += outcome == "FormatError";
        }
        // A copy missing most of its bytes can never be a whole model.
        EXPECT_GE(rejected, kCuts - 2) << file;
    }
    std::remove(scratch.c_str());
}

TEST_F(KerasRobustness, RandomByteFlipsOfEveryFixture) {
    const auto files = ws_test::allKerasWeightFiles();
    if (files.empty()) {
        std::printf("SKIP: no Keras fixtures under %s\n", ws_test::kerasFixtureDir().c_str());
        GTEST_SKIP();
    }
    const std::string scratch = ws_test::tempPath("flipped.h5");
    std::mt19937 rng(20261129);  // fixed seed: the same damaged files every run
    for (const auto& file : files) {
        const auto original = ws_test::readFileBytes(file);
        for (int variant = 0; variant < 24; ++variant) {
            auto bytes = original;
            // Metadata sits mostly in the first 64 KiB; half the variants aim there.
            const std::size_t range =
                variant % 2 ? bytes.size() : std::min<std::size_t>(bytes.size(), 65536);
            std::string where;
            for (int k = 0; k < 4; ++k) {
                const std::size_t at = rng() % range;
                bytes[at] ^= std::uint8_t(1u << (rng() % 8));
                where += std::to_string(at) + " ";
            }
            const std::string outcome = tryOpen(bytes, scratch);
            EXPECT_TRUE(outcome.empty() || outcome == "FormatError")
                << file << " flipped at " << where << ": " << outcome;
        }
    }
    std::remove(scratch.c_str());
}

}  // namespace
