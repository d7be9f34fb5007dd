// SPDX-License-Identifier: GPL-3.0-or-later
// writeNpy: every dtype written by us and read back with numpy.load, compared with the array
// numpy produced the raw bytes from; bf16 widening; atomic replacement on failure.
#include <dirent.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/npy_writer.h"
#include "model/error.h"
#include "oracle_python.h"

using ws::DType;
using ws::Tensor;

namespace {

// numpy writes each case's raw little-endian bytes (<dir><name>.bin) and the array we must
// produce (<dir><name>.want.npy); a transposed case checks strided views are written in C order.
const char* kMake = R"PY(
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(3)
def case(name, storage, want=None):
    storage.tofile(d + name + ".bin")
    np.save(d + name + ".want.npy", storage if want is None else want)
case("f16", rng.standard_normal((3, 4)).astype("<f2"))
case("f32", np.array([[1.5, np.nan], [np.inf, -0.0]], dtype="<f4"))
case("f64", rng.standard_normal((2, 3, 4)))
case("i8", np.array([-128, 5, 127], dtype="i1"))
case("i16", np.array([-300, 300], dtype="<i2"))
case("i32", np.arange(12, dtype="<i4").reshape(3, 4))
case("i64", np.array(2**40 + 3, dtype="<i8"))  # 0-d
case("u8", np.array([0, 255], dtype="u1"))
case("bool", np.array([[True, False, True]]))
case("empty", np.zeros((0, 5), dtype="<f4"))
bits = (rng.standard_normal(6).astype("<f4").view("<u4") >> 16).astype("<u2")
case("bf16", bits, want=(bits.astype("<u4") << 16).view("<f4"))
s = rng.standard_normal((5, 7)).astype("<f4")
case("transposed", s, want=s.T)
)PY";

const char* kCompare = R"PY(
import sys, numpy as np
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
assert got.dtype == want.dtype, (got.dtype, want.dtype)
assert got.shape == want.shape, (got.shape, want.shape)
assert got.flags.c_contiguous
assert np.array_equal(got, want, equal_nan=got.dtype.kind == "f"), (got, want)
if got.dtype.kind == "f":  # same bits, -0.0 included
    assert got.tobytes() == want.tobytes()
print("ok")
)PY";

struct Case {
    const char* name;
    DType dtype;
    std::vector<std::int64_t> shape;
    std::vector<std::int64_t> strides;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> c = {
        {"f16", DType::F16, {3, 4}, {}},    {"f32", DType::F32, {2, 2}, {}},
        {"f64", DType::F64, {2, 3, 4}, {}}, {"i8", DType::I8, {3}, {}},
        {"i16", DType::I16, {2}, {}},       {"i32", DType::I32, {3, 4}, {}},
        {"i64", DType::I64, {}, {}},        {"u8", DType::U8, {2}, {}},
        {"bool", DType::Bool, {1, 3}, {}},  {"empty", DType::F32, {0, 5}, {}},
        {"bf16", DType::BF16, {6}, {}},     {"transposed", DType::F32, {7, 5}, {1, 7}},
    };
    return c;
}

Tensor makeTensor(const std::string& dir, const Case& c) {
    Tensor t;
    t.dtype = c.dtype;
    t.shape = c.shape;
    t.strides = c.strides;
    t.storage =
        std::make_shared<ws::MemoryByteSource>(ws_test::readFileBytes(dir + c.name + ".bin"));
    return t;
}

// Names in dir that contain `part`: temporary files are named after their destination
// (".x.npy.tmp-XXXXXX"), hidden or not.
std::vector<std::string> leftovers(const std::string& dir, const std::string& part) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
            if (std::string(e->d_name).find(part) != std::string::npos) out.push_back(e->d_name);
        ::closedir(d);
    }
    return out;
}

// A storage that fails half way, as a file on a vanishing network mount would.
class FailingSource : public ws::ByteSource {
  public:
    std::uint64_t size() const override { return 1 << 20; }
    void read(std::uint64_t, void*, std::size_t) const override {
        throw ws::FormatError("simulated read failure");
    }
};

}  // namespace

TEST(Npy, EveryDtypeRoundTripsThroughNumpyLoad) {
    const std::string dir = ws_test::tempPath("npy_");
    ws_test::runOracleOk(kMake, {dir});
    for (const Case& c : cases()) {
        SCOPED_TRACE(c.name);
        const std::string out = dir + c.name + ".got.npy";
        const std::string note = ws::writeNpy(makeTensor(dir, c), out);
        EXPECT_EQ(note.empty(), c.dtype != DType::BF16) << note;
        EXPECT_EQ(ws_test::runOracleOk(kCompare, {out, dir + c.name + ".want.npy"}), "ok\n");
    }
}

TEST(Npy, HeaderIsAlignedVersion1) {
    const std::string h = ws::npyHeader("<f4", {3, 4});
    EXPECT_EQ(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    EXPECT_EQ(h.size() % 64, 0u);
    EXPECT_EQ(h.back(), '\n');
    EXPECT_NE(h.find("'shape': (3, 4), }"), std::string::npos) << h;
    EXPECT_NE(ws::npyHeader("|b1", {5}).find("'shape': (5,), }"), std::string::npos);
    EXPECT_NE(ws::npyHeader("<i8", {}).find("'shape': (), }"), std::string::npos);
}

TEST(Npy, FailedWriteLeavesExistingFileAndNoTempFiles) {
    const std::string dir = ::testing::TempDir();
    const std::string leaf = "ws_npy_atomic_" + std::to_string(::getpid()) + ".npy";
    const std::string path = dir + leaf;
    ws_test::writeFileBytes(path, {'o', 'l', 'd'});
    Tensor t;
    t.dtype = DType::F32;
    t.shape = {1000};
    t.storage = std::make_shared<FailingSource>();
    EXPECT_THROW(ws::writeNpy(t, path), ws::FormatError);
    EXPECT_EQ(ws_test::readFileBytes(path), (std::vector<std::uint8_t>{'o', 'l', 'd'}));
    EXPECT_EQ(leftovers(dir, leaf + ".tmp"), std::vector<std::string>{});

    try {
        Tensor ok;
        ok.shape = {1};
        ok.storage = std::make_shared<ws::MemoryByteSource>(std::vector<std::uint8_t>(4, 0));
        ws::writeNpy(ok, "/nonexistent-dir-ws/x.npy");
        ADD_FAILURE() << "wrote into a missing folder";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-ws/x.npy"), std::string::npos)
            << e.what();
    }
    std::remove(path.c_str());
}
