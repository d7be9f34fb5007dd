// SPDX-License-Identifier: GPL-3.0-or-later
// Saving edited models: the save is atomic (a write that fails midway leaves the source and
// the destination as they were and no temporary file behind), saving over the opened file
// works while the old mapping is still read, and the zip writer's ZIP64 records are read by
// Python's zipfile. Torch-level checks of the saved files are in tests/formats.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "containers/zip.h"
#include "containers/zip_writer.h"
#include "edit/edit_ops.h"
#include "edit_test_support.h"
#include "export/export_model.h"
#include "formats/open_model.h"
#include "io/atomic_file.h"
#include "io/mapped_file.h"
#include "model/error.h"
#include "save/save_model.h"

namespace {

std::set<std::string> listDir(const std::string& dir) {
    std::set<std::string> names;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d)) names.insert(e->d_name);
        ::closedir(d);
    }
    return names;
}

// A fresh folder for one test.
std::string scratchDir(const std::string& leaf) {
    const std::string dir = ws_test::tempPath(leaf);
    ::mkdir(dir.c_str(), 0755);
    return dir;
}

// Runs `body` in a child whose file size limit is `limit` bytes (writes past it fail with
// EFBIG instead of killing the child). The child's exit status: 0 when body threw
// FormatError mentioning "too large", 1 when it threw something else, 2 when it did not throw.
int inChildWithFileLimit(rlim_t limit, const std::function<void()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl {
            limit, limit
        };
        ::setrlimit(RLIMIT_FSIZE, &rl);
        try {
            body();
        } catch (const ws::FormatError& e) {
            ::_exit(std::string(e.what()).find("too large") != std::string::npos ? 0 : 1);
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(2);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(EditSave, AFailedWriteLeavesSourceAndDestinationUntouched) {
    const std::string example = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (example.empty()) GTEST_SKIP();
    const std::string dir = scratchDir("failsave");
    const std::string source = dir + "/model.pth";
    ws_test::writeFileBytes(source, ws_test::readFileBytes(example));
    const std::vector<std::uint8_t> sourceBytes = ws_test::readFileBytes(source);
    const std::string existing = dir + "/existing.pth";
    ws_test::writeFileBytes(existing, {'o', 'l', 'd'});
    const std::set<std::string> before = listDir(dir);

    // The seed file is ~290 KB; 100 KB is enough to start writing and fail midway.
    for (const std::string& dest : {dir + "/new.pth", existing, source}) {
        const int status = inChildWithFileLimit(100 * 1024, [&] {
            auto model = ws::openModel(source);
            ws::applyEdit(*model, ws::Edit::set("linear.bias", ws::parseRegion("0"),
                                                ws::Scalar::fromReal(1.5)));
            ws::saveModel(*model, dest);
        });
        EXPECT_EQ(status, 0) << "the save to " << dest << " did not fail with EFBIG";
        EXPECT_EQ(listDir(dir), before) << "a file was left behind saving to " << dest;
        EXPECT_EQ(ws_test::readFileBytes(source), sourceBytes);
        EXPECT_EQ(ws_test::readFileBytes(existing), (std::vector<std::uint8_t>{'o', 'l', 'd'}));
    }
    // Exports fail the same way.
    const int status = inChildWithFileLimit(100 * 1024, [&] {
        auto model = ws::openModel(source);
        ws::exportModel(*model, dir + "/export.safetensors");
    });
    EXPECT_EQ(status, 0);
    EXPECT_EQ(listDir(dir), before);
}

TEST(EditSave, AMissingFolderIsReportedWithTheReason) {
    const std::string example = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (example.empty()) GTEST_SKIP();
    auto model = ws::openModel(example);
    try {
        ws::saveModel(*model, ws_test::tempPath("no_such_dir") + "/out.pth");
        FAIL() << "saving into a missing folder succeeded";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
            << e.what();
    }
    // Formats without a saver say so.
    model->format = "onnx";
    try {
        ws::saveModel(*model, ws_test::tempPath("x.onnx"));
        FAIL() << "saving an onnx model succeeded";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("not supported"), std::string::npos) << e.what();
    }
    EXPECT_THROW(ws::exportModel(*model, ws_test::tempPath("x.keras")), ws::FormatError);
}

TEST(EditSave, SavingOverTheOpenedFileKeepsTheOldMappingReadable) {
    const std::string example = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (example.empty()) GTEST_SKIP();
    const std::string path = ws_test::copyToScratch(example, "overwrite.pth");
    auto model = ws::openModel(path);
    const std::vector<double> other = ws_test::valuesAt(*model, "lstm.weight_ih_l0");
    ws::applyEdit(*model, ws::Edit::set("linear.weight", ws::parseRegion("0, 3"),
                                        ws::Scalar::fromReal(-4.0)));
    ws::saveModel(*model, path);
    // The model still reads its unedited tensors from the old (replaced) file.
    EXPECT_EQ(ws_test::valuesAt(*model, "lstm.weight_ih_l0"), other);
    // A second edit and save over the same path builds on the first.
    ws::applyEdit(
        *model, ws::Edit::set("linear.weight", ws::parseRegion("0, 4"), ws::Scalar::fromReal(8.0)));
    ws::saveModel(*model, path);

    auto reread = ws::openModel(path);
    const std::vector<double> w = ws_test::valuesAt(*reread, "linear.weight");
    EXPECT_EQ(w[3], -4.0);
    EXPECT_EQ(w[4], 8.0);
    EXPECT_EQ(ws_test::valuesAt(*reread, "lstm.weight_ih_l0"), other);
    std::remove(path.c_str());
}

TEST(EditSave, ForcedZip64ArchivesReadBackEverywhere) {
    const std::string path = ws_test::tempPath("zip64.zip");
    {
        ws::AtomicFile out(path);
        ws::ZipWriter zip(out);
        zip.setForceZip64(true);
        zip.addStored("a/data.pkl", std::vector<std::uint8_t>{1, 2, 3});
        zip.addStored("a/data/0", std::vector<std::uint8_t>(1000, 7), false);
        zip.finish();
        out.commit();
    }
    ws::ZipArchive archive(ws::mapFile(path));
    ASSERT_EQ(archive.entries().size(), 2u);
    EXPECT_EQ(archive.dataOffset(archive.entries()[0]) % 64, 0u);
    EXPECT_EQ(archive.open(archive.entries()[1])->readAll(), std::vector<std::uint8_t>(1000, 7));
    if (!ws_test::haveTorch()) GTEST_SKIP();
    const std::string out = ws_test::runOracleOk(
        "import sys, zipfile\n"
        "z = zipfile.ZipFile(sys.argv[1])\n"
        "assert z.testzip() is None\n"
        "print(z.read('a/data.pkl') == bytes([1, 2, 3]), z.read('a/data/0') == bytes([7]) * "
        "1000)\n",
        {path});
    EXPECT_EQ(out, "True True\n");
    std::remove(path.c_str());
}
