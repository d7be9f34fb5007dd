// SPDX-License-Identifier: GPL-3.0-or-later
// HDF5 features real Keras fixtures do not all exercise, written by real h5py: chunked+gzip
// and big-endian datasets, f16/f64/int/bool/scalar/empty datasets, unsupported types shown as
// values, split layer_names0/1 attributes, every attribute kind, datasets outside layers.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "formats/open_model.h"
#include "keras_test_support.h"
#include "model/error.h"

namespace {

using ws::Node;
using ws::NodeKind;

const char* kWriter = R"PY(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["backend"] = "tensorflow"
    f.attrs["keras_version"] = "2.9.0"
    # Keras splits long attributes into numbered chunks.
    f.attrs["layer_names0"] = np.array([b"dense"])
    f.attrs["layer_names1"] = np.array([b"odd", b"ghost"])
    g = f.create_group("dense")
    g.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0", b"dense/missing:0"])
    g.create_dataset("dense/kernel:0", data=np.arange(12, dtype=np.float32).reshape(3, 4) * 0.5,
                     chunks=(2, 2), compression="gzip")
    g.create_dataset("dense/bias:0", data=np.array([1.5, -2.25, 3.0, 4.0], dtype=">f8"))
    g.create_dataset("dense/unlisted:0", data=np.array([7, 8], dtype=np.int16))
    g.create_dataset("dense/be_chunked:0", data=np.linspace(-1, 1, 9, dtype=">f4").reshape(3, 3),
                     chunks=(2, 3), compression="gzip", shuffle=True)
    o = f.create_group("odd")
    o.attrs["weight_names"] = np.array(["odd/half", "odd/flags"], dtype=h5py.string_dtype())
    o.create_dataset("odd/half", data=np.array([0.5, -1, 65504], dtype=np.float16))
    o.create_dataset("odd/flags", data=np.array([True, False, True]))
    o.create_dataset("odd/step", data=np.int64(42))
    o.create_dataset("odd/bytes", data=np.arange(5, dtype=np.uint8))
    o.create_dataset("odd/i8", data=np.array([-3, 4], dtype=np.int8))
    o.create_dataset("odd/i32be", data=np.array([1, -2], dtype=">i4"))
    o.create_dataset("odd/words", data=np.array(["a", "bc"], dtype=h5py.string_dtype()))
    o.create_dataset("odd/u32", data=np.array([1, 2], dtype=np.uint32))
    o.create_dataset("odd/empty", data=np.zeros((0,), dtype=np.float32))
    o.attrs["answer"] = np.int32(42)
    o.attrs["ratios"] = np.array([1.5, 2.5])
    o.attrs["flag"] = np.bool_(True)
    o.attrs["greeting"] = "h\u00e9llo w\u00f6rld"
    o.attrs["fixed"] = np.bytes_(b"fixed text")
    f.create_dataset("stray", data=np.ones((2, 2), dtype=np.float64))
    f.create_group("optimizer_weights").create_dataset("Adam/iter:0", data=np.int64(3))
)PY";

class KerasSynthetic : public ::testing::Test {
  protected:
    void SetUp() override {
        path_ = ws_test::tempPath("synthetic.h5");
        int status = 0;
        std::string out = ws_test::runOracle(kWriter, {path_}, &status);
        if (status != 0) {
            std::printf("SKIP: h5py could not write the synthetic file: %s\n", out.c_str());
            GTEST_SKIP();
        }
        const std::uint64_t before = ws::Tensor::bytesRead().load();
        model_ = ws::openModel(path_);
        EXPECT_EQ(ws::Tensor::bytesRead().load(), before) << "opening read tensor data";
    }
    void TearDown() override { std::remove(path_.c_str()); }

    Node& node(const std::string& path) {
        Node* n = model_->find(path);
        EXPECT_NE(n, nullptr) << path;
        if (!n) throw std::runtime_error("missing node " + path);
        return *n;
    }

    std::string path_;
    std::unique_ptr<ws::Model> model_;
};

TEST_F(KerasSynthetic, EveryTensorDatasetMatchesH5py) {
    const auto oracle = ws_test::h5pyDatasets(path_);
    std::size_t compared = 0;
    for (const auto& [path, expected] : oracle) {
        static const std::set<std::string> tensorTypes = {"f16", "f32", "f64", "i8",  "i16",
                                                          "i32", "i64", "u8",  "bool"};
        if (!tensorTypes.count(expected.dtype)) continue;  // strings, uint32: values, not tensors
        SCOPED_TRACE(path);
        Node& n = node(path);
        ASSERT_EQ(n.kind, NodeKind::Tensor);
        EXPECT_EQ(ws::dtypeName(n.tensor->dtype), expected.dtype);
        const auto values = n.tensor->toDoubles();
        ASSERT_EQ(values.size(), expected.size);
        double sum = 0;
        for (double v : values) sum += v;
        EXPECT_DOUBLE_EQ(sum, expected.sum);
        if (!values.empty()) {
            EXPECT_EQ(values.front(), expected.first);
        }
        ++compared;
    }
    EXPECT_EQ(compared, 13u);
}

TEST_F(KerasSynthetic, LayoutsByteOrderAndScalars) {
    EXPECT_EQ(model_->formatDetail, "Keras 2.9.0 weights only (save_weights), backend tensorflow");
    Node& kernel = node("dense/dense/kernel:0");
    EXPECT_EQ(kernel.parent->name, "dense");
    EXPECT_EQ(kernel.tensor->storage->data(), nullptr);  // chunked+gzip: read via H5Dread
    EXPECT_NE(kernel.attribute("hdf5 storage")->find("deflate"), std::string::npos);
    EXPECT_EQ(kernel.tensor->toDoubles(),
              (std::vector<double>{0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5}));

    Node& bias = node("dense/dense/bias:0");
    EXPECT_TRUE(bias.tensor->bigEndian);
    EXPECT_NE(bias.tensor->storage->data(), nullptr);  // contiguous: a window into the file
    EXPECT_EQ(bias.tensor->toDoubles(), (std::vector<double>{1.5, -2.25, 3.0, 4.0}));
    EXPECT_EQ(node("odd/odd/i32be").tensor->toDoubles(), (std::vector<double>{1, -2}));
    Node& beChunked = node("dense/dense/be_chunked:0");  // H5Dread keeps the file byte order
    EXPECT_TRUE(beChunked.tensor->bigEndian);
    EXPECT_EQ(beChunked.tensor->storage->data(), nullptr);
    EXPECT_FLOAT_EQ(float(beChunked.tensor->toDoubles().front()), -1.0f);

    EXPECT_EQ(node("odd/odd/half").tensor->toDoubles(), (std::vector<double>{0.5, -1, 65504}));
    EXPECT_EQ(node("odd/odd/flags").tensor->dtype, ws::DType::Bool);
    EXPECT_EQ(node("odd/odd/flags").tensor->toDoubles(), (std::vector<double>{1, 0, 1}));
    Node& step = node("odd/odd/step");
    EXPECT_TRUE(step.tensor->shape.empty());
    EXPECT_EQ(step.tensor->toDoubles(), (std::vector<double>{42}));
    EXPECT_EQ(node("odd/odd/empty").tensor->shape, (std::vector<std::int64_t>{0}));
}

TEST_F(KerasSynthetic, NothingIsDropped) {
    // Split layer_names0/1 give the layer order; a listed layer without a group warns.
    std::vector<std::string> layers;
    for (const auto& c : model_->root->children)
        if (c->kind == NodeKind::Layer) layers.push_back(c->name);
    EXPECT_EQ(layers, (std::vector<std::string>{"dense", "odd", "ghost"}));
    bool warnedGhost = false, warnedMissing = false;
    for (const auto& w : model_->warnings) {
        warnedGhost |= w.find("'ghost'") != std::string::npos;
        warnedMissing |= w.find("dense/missing:0") != std::string::npos;
    }
    EXPECT_TRUE(warnedGhost);
    EXPECT_TRUE(warnedMissing);

    // Unlisted datasets stay with their layer; others land at their own path.
    EXPECT_EQ(node("dense/dense/unlisted:0").parent->name, "dense");
    EXPECT_EQ(node("stray").parent, model_->root.get());
    EXPECT_EQ(node("optimizer_weights/Adam/iter:0").tensor->toDoubles(), (std::vector<double>{3}));

    // Types without a tensor equivalent become values that say what they are.
    Node& words = node("odd/odd/words");
    EXPECT_EQ(words.kind, NodeKind::Value);
    EXPECT_NE(words.value.find("variable-length string"), std::string::npos);
    Node& u32 = node("odd/odd/u32");
    EXPECT_EQ(u32.kind, NodeKind::Value);
    EXPECT_NE(u32.value.find("uint32"), std::string::npos);
}

// The GUI reads tensors from worker threads: lazy H5Dread sources and windows must give the
// same bytes when read concurrently.
TEST_F(KerasSynthetic, ConcurrentReadsAgree) {
    std::vector<Node*> tensors;
    model_->forEachTensor([&](Node& n) { tensors.push_back(&n); });
    std::vector<std::vector<std::vector<std::uint8_t>>> results(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < results.size(); ++t)
        threads.emplace_back([&, t] {
            for (Node* n : tensors) results[t].push_back(n->tensor->contiguousBytes());
        });
    for (auto& thread : threads) thread.join();
    for (std::size_t t = 1; t < results.size(); ++t) EXPECT_EQ(results[t], results[0]);
    EXPECT_EQ(results[0].size(), 13u);
}

TEST_F(KerasSynthetic, AttributesOfEveryKind) {
    Node& odd = node("odd");
    EXPECT_EQ(*odd.attribute("answer"), "42");
    EXPECT_EQ(*odd.attribute("ratios"), "[1.5, 2.5]");
    EXPECT_EQ(*odd.attribute("flag"), "true");
    EXPECT_EQ(*odd.attribute("greeting"), "h\u00e9llo w\u00f6rld");  // vlen UTF-8
    EXPECT_EQ(*odd.attribute("fixed"), "fixed text");                // fixed-length ASCII
    EXPECT_EQ(*odd.attribute("weight_names"), "[\"odd/half\",\"odd/flags\"]");
    EXPECT_EQ(node("@layer_names1").value, "[\"odd\",\"ghost\"]");
    EXPECT_EQ(node("@backend").value, "tensorflow");
}

}  // namespace

namespace {

// A 1 KiB user block before the superblock, and the newest file format (superblock v3,
// link-indexed groups, attributes in dense storage): offsets and the truncation check must
// still line up with h5py.
TEST(KerasSyntheticLayouts, UserBlockAndLatestFileFormat) {
    const char* writer = R"PY(
import sys, h5py, numpy as np
for path, kwargs in ((sys.argv[1], {"userblock_size": 1024}), (sys.argv[2], {"libver": "latest"})):
    with h5py.File(path, "w", **kwargs) as f:
        f.attrs["layer_names"] = np.array([b"d"])
        for i in range(20):  # enough attributes to move them to dense storage
            f.attrs["note%d" % i] = "x" * 200
        g = f.create_group("d")
        g.attrs["weight_names"] = np.array([b"d/k:0"])
        g.create_dataset("d/k:0", data=np.arange(6, dtype=np.float32).reshape(2, 3) + 1)
)PY";
    const std::string withUserBlock = ws_test::tempPath("userblock.h5");
    const std::string latest = ws_test::tempPath("latest.h5");
    int status = 0;
    ws_test::runOracle(writer, {withUserBlock, latest}, &status);
    if (status != 0) {
        std::printf("SKIP: h5py could not write the files\n");
        GTEST_SKIP();
    }
    for (const std::string& path : {withUserBlock, latest}) {
        SCOPED_TRACE(path);
        auto model = ws::openModel(path);
        ws::Node* kernel = model->find("d/d/k:0");
        ASSERT_NE(kernel, nullptr);
        EXPECT_EQ(kernel->tensor->toDoubles(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
        ws::Node* note = model->find("@note19");
        ASSERT_NE(note, nullptr);
        EXPECT_EQ(note->value, std::string(200, 'x'));
        std::remove(path.c_str());
    }
}

}  // namespace
