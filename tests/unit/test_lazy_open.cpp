// SPDX-License-Identifier: GPL-3.0-or-later
// Proof that opening a model reads metadata only: real torch and h5py write a file with one large
// tensor, the file is dropped from the page cache, ws::openModel runs, and mincore() shows that
// none of the tensor's pages came back. Reading the tensor afterwards must bring them in, which
// shows the residency check can fail.
//
// The kernel reads around every page fault and read (read_ahead_kb, 8 MiB on some VMs), so
// metadata next to the tensor legitimately pulls in its first and last few MiB. The check is
// therefore on the tensor's interior, one read-ahead window plus slack away from either end;
// nothing but reading the tensor itself can make those pages resident.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "formats/open_model.h"
#include "model/model.h"
#include "oracle_python.h"

namespace fs = std::filesystem;

namespace {

constexpr long kTmpfsMagic = 0x01021994;
constexpr std::int64_t kBigElements = 24 * 1024 * 1024;  // float32: 96 MiB

// Writes big.pth (torch state_dict {"big", "small"}) and big.h5 (Keras 2 weights-only layout,
// dataset dense/dense/kernel:0) and, for each, "<offset> <length>" of the big tensor's bytes as
// the writing library reports them (zip local header / h5py get_offset).
const char* kGenerator = R"PY(
import sys, zipfile, struct, torch, h5py, numpy as np
out, n = sys.argv[1], int(sys.argv[2])
big = (torch.arange(n, dtype=torch.int64) % 1000).to(torch.float32)
torch.save({"big": big, "small": torch.ones(3)}, out + "/big.pth")
with zipfile.ZipFile(out + "/big.pth") as z:
    info = next(i for i in z.infolist() if i.filename.endswith("/data/0"))
with open(out + "/big.pth", "rb") as f:
    f.seek(info.header_offset)
    h = f.read(30)
    name_len, extra_len = struct.unpack("<HH", h[26:30])
open(out + "/big.pth.range", "w").write("%d %d" % (info.header_offset + 30 + name_len + extra_len,
                                                   info.file_size))
with h5py.File(out + "/big.h5", "w") as f:
    f.attrs["backend"] = "tensorflow"
    f.attrs["keras_version"] = "2.4.0"
    f.attrs["layer_names"] = np.array([b"dense"])
    g = f.create_group("dense")
    g.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
    d = g.create_dataset("dense/kernel:0", data=big.numpy().reshape(n // 1024, 1024))
    g.create_dataset("dense/bias:0", data=np.zeros(1024, dtype=np.float32))
    f.flush()
    rng = "%d %d" % (d.id.get_offset(), d.id.get_storage_size())
open(out + "/big.h5.range", "w").write(rng)
)PY";

// A directory on a real disk: page-cache eviction means nothing on tmpfs.
fs::path scratchDir() {
    std::vector<fs::path> candidates;
    if (const char* b = std::getenv("WS_BUILD_DIR")) candidates.emplace_back(b);
    candidates.push_back(fs::current_path());
    candidates.emplace_back("/var/tmp");
    for (const auto& c : candidates) {
        struct statfs st {};
        if (statfs(c.c_str(), &st) == 0 && st.f_type != kTmpfsMagic && access(c.c_str(), W_OK) == 0)
            return c;
    }
    return {};
}

struct ByteRange {
    std::uint64_t offset = 0, length = 0;
};

ByteRange readRange(const fs::path& file) {
    std::ifstream in(file);
    ByteRange r;
    in >> r.offset >> r.length;
    return r;
}

// The read-ahead window of the device holding `file` (sysfs), or a generous guess.
std::uint64_t readaheadBytes(const fs::path& file) {
    struct stat st {};
    if (stat(file.c_str(), &st) == 0) {
        const std::string dev =
            std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
        for (const std::string& p : {"/sys/class/bdi/" + dev + "/read_ahead_kb",
                                     "/sys/dev/block/" + dev + "/queue/read_ahead_kb",
                                     "/sys/dev/block/" + dev + "/../queue/read_ahead_kb"}) {
            std::ifstream in(p);
            std::uint64_t kb = 0;
            if (in >> kb) return kb * 1024;
        }
    }
    return 16u << 20;
}

void dropFromPageCache(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    fsync(fd);  // dirty pages cannot be dropped
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

// Fraction of the pages of [offset, offset+length) that are in the page cache, seen through a
// fresh mapping of our own (mincore reports the cache state of file pages we did not touch).
double residentFraction(const fs::path& file, ByteRange range) {
    int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) return -1;
    struct stat st {};
    fstat(fd, &st);
    void* base = mmap(nullptr, std::size_t(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (base == MAP_FAILED) return -1;
    const std::uint64_t page = std::uint64_t(sysconf(_SC_PAGESIZE));
    const std::uint64_t first = range.offset / page,
                        last = (range.offset + range.length - 1) / page;
    std::vector<unsigned char> vec(std::size_t(last - first + 1));
    int rc =
        mincore(static_cast<char*>(base) + first * page, (last - first + 1) * page, vec.data());
    munmap(base, std::size_t(st.st_size));
    if (rc != 0) return -1;
    std::size_t resident = 0;
    for (unsigned char v : vec) resident += v & 1;
    return double(resident) / double(vec.size());
}

class LazyOpenTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        fs::path base = scratchDir();
        if (base.empty()) return;
        std::string templ = (base / "ws_lazy_open_XXXXXX").string();
        if (!mkdtemp(templ.data())) return;
        dir_ = templ;
        int status = -1;
        ws_test::runOracle(kGenerator, {dir_.string(), std::to_string(kBigElements)}, &status);
        generated_ = status == 0;
    }
    static void TearDownTestSuite() {
        if (!dir_.empty()) fs::remove_all(dir_);
    }

    // Opens `file`, checks the big tensor's pages stayed on disk, then reads it and checks
    // they arrived.
    void checkLazy(const std::string& name, const std::string& tensorPath) {
        if (dir_.empty()) GTEST_SKIP() << "SKIP: no writable non-tmpfs directory for the test file";
        ASSERT_TRUE(generated_) << "the torch/h5py generator failed (" << WS_ORACLE_PYTHON << ")";
        const fs::path file = dir_ / name;
        const ByteRange range = readRange(dir_ / (name + ".range"));
        ASSERT_EQ(range.length, std::uint64_t(kBigElements) * 4) << "unexpected tensor layout";
        const std::uint64_t margin = readaheadBytes(file) + (1u << 20);
        if (2 * margin >= range.length / 2)
            GTEST_SKIP() << "SKIP: read-ahead window (" << (margin >> 20)
                         << " MiB) too large for a " << (range.length >> 20) << " MiB tensor";
        const ByteRange interior{range.offset + margin, range.length - 2 * margin};

        dropFromPageCache(file);
        const double before = residentFraction(file, interior);
        ASSERT_GE(before, 0) << "mincore failed";
        if (before > 0.05)
            GTEST_SKIP() << "SKIP: posix_fadvise(DONTNEED) did not evict " << file << " ("
                         << int(before * 100) << "% still resident); cannot prove laziness here";

        const std::uint64_t readBefore = ws::Tensor::bytesRead().load();
        auto model = ws::openModel(file.string());
        ws::Node* node = model->find(tensorPath);
        ASSERT_NE(node, nullptr) << tensorPath << " not in the tree of " << file;
        ASSERT_TRUE(node->tensor);
        EXPECT_EQ(ws::Tensor::bytesRead().load(), readBefore) << "opening read tensor data";
        const double interiorAfterOpen = residentFraction(file, interior);
        EXPECT_EQ(interiorAfterOpen, 0.0)
            << interiorAfterOpen * 100 << "% of the tensor's interior pages (more than "
            << (margin >> 20) << " MiB from either end) were read by openModel";
        // Overall, at most the read-around of the two ends.
        const double wholeAfterOpen = residentFraction(file, range);
        EXPECT_LE(wholeAfterOpen * double(range.length), double(2 * margin))
            << wholeAfterOpen * 100 << "% of the tensor's pages were read by openModel";

        std::vector<std::uint8_t> bytes = node->tensor->contiguousBytes();
        ASSERT_EQ(bytes.size(), range.length);
        EXPECT_GE(ws::Tensor::bytesRead().load() - readBefore, range.length);
        const double afterRead = residentFraction(file, interior);
        EXPECT_GT(afterRead, 0.9) << "reading the tensor did not make its pages resident ("
                                  << int(afterRead * 100) << "%); the residency probe is blind";
        std::cout << name << ": read-ahead margin " << (margin >> 20)
                  << " MiB; resident after open: " << interiorAfterOpen * 100
                  << "% of the interior, " << wholeAfterOpen * 100
                  << "% of the tensor; after reading it: " << afterRead * 100 << "%\n";
        // The values are (i % 1000) as float: spot-check what was read.
        const float* f = reinterpret_cast<const float*>(bytes.data());
        EXPECT_EQ(f[0], 0.0f);
        EXPECT_EQ(f[999], 999.0f);
        EXPECT_EQ(f[kBigElements - 1], float((kBigElements - 1) % 1000));
    }

    static fs::path dir_;
    static bool generated_;
};

fs::path LazyOpenTest::dir_;
bool LazyOpenTest::generated_ = false;

TEST_F(LazyOpenTest, TorchStateDictOpenLeavesTensorPagesOnDisk) { checkLazy("big.pth", "big"); }

TEST_F(LazyOpenTest, KerasHdf5OpenLeavesDatasetPagesOnDisk) {
    checkLazy("big.h5", "dense/dense/kernel:0");
}

}  // namespace
