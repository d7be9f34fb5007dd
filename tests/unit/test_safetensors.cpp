// SPDX-License-Identifier: GPL-3.0-or-later
// readSafetensors against files written by a test-side writer that follows the published
// format (8-byte little-endian header length, JSON header, raw little-endian data) with numpy
// supplying the tensor bytes and the expected values, and against damaged variants.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "formats/readers.h"
#include "io/mapped_file.h"
#include "model/error.h"
#include "oracle_python.h"

using ws::FormatError;
using ws::Model;
using ws::Node;
using ws::NodeKind;

namespace {

// write(path, [(name, dtype, ndarray)], metadata) writes a safetensors file the way the
// reference implementation lays it out: tensors back to back in the given order.
const char* kWriter = R"PY(
import sys, json, struct
import numpy as np

def raw(dtype, arr):
    if dtype == "BF16":  # numpy has no bfloat16: keep the upper half of each float32
        return (np.ascontiguousarray(arr, dtype="<f4").view("<u4") >> 16).astype("<u2").tobytes()
    return np.ascontiguousarray(arr).tobytes()

def write(path, tensors, metadata=None, header_patch=None, pad=0):
    header, blobs, offset = {}, [], 0
    for name, dtype, arr in tensors:
        b = raw(dtype, arr)
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata is not None:
        header["__metadata__"] = metadata
    if header_patch:
        header_patch(header)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)  # the reference writer pads to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs) + b"\0" * pad)

def expected(dtype, arr):
    if dtype == "BF16":
        bits = np.ascontiguousarray(arr, dtype="<f4").view("<u4") >> 16
        arr = (bits.astype("<u4") << 16).view("<f4")
    return {"shape": list(arr.shape), "values": np.asarray(arr, dtype=np.float64).ravel().tolist()}
)PY";

struct Written {
    std::string path;
    nlohmann::json expected;  // name -> {shape, values}
};

Written writeMixedDtypes() {
    Written w{ws_test::tempPath("mixed.safetensors"), {}};
    const std::string out = ws_test::runOracleOk(std::string(kWriter) + R"PY(
rng = np.random.default_rng(7)
tensors = [
    ("encoder.layer.0.weight", "F32", rng.standard_normal((4, 3)).astype("<f4")),
    ("encoder.layer.0.bias", "F16", rng.standard_normal(4).astype("<f2")),
    ("encoder.layer.1.weight", "BF16", rng.standard_normal((2, 5)).astype("<f4")),
    ("encoder.norm.running_var", "F64", rng.random(6)),
    ("encoder.norm.num_batches_tracked", "I64", np.array(12345678901, dtype="<i8")),
    ("ints.i8", "I8", np.array([-128, -1, 0, 127], dtype="i1")),
    ("ints.i16", "I16", np.array([[-32768, 7], [9, 32767]], dtype="<i2")),
    ("ints.i32", "I32", np.arange(-6, 6, dtype="<i4").reshape(3, 2, 2)),
    ("ints.u8", "U8", np.array([0, 200, 255], dtype="u1")),
    ("mask", "BOOL", np.array([True, False, True], dtype="?")),
    ("empty", "F32", np.zeros((0, 3), dtype="<f4")),
]
write(sys.argv[1], tensors, metadata={"format": "pt", "note": "written by the test"})
print(json.dumps({n: expected(d, a) for n, d, a in tensors}))
)PY",
                                                 {w.path});
    w.expected = nlohmann::json::parse(out);
    return w;
}

std::unique_ptr<Model> readPath(const std::string& path) {
    auto model = std::make_unique<Model>();
    model->filePath = path;
    ws::readSafetensors(ws::mapFile(path), *model);
    model->reindex();
    return model;
}

// Writes a file from a writer snippet (which sees `path`) and expects readSafetensors to throw
// a FormatError whose message contains `fragment`.
void expectRejected(const std::string& snippet, const std::string& fragment) {
    const std::string path = ws_test::tempPath("bad.safetensors");
    ws_test::runOracleOk(std::string(kWriter) + "path = sys.argv[1]\n" + snippet, {path});
    try {
        readPath(path);
        ADD_FAILURE() << "accepted a damaged file; expected an error about '" << fragment << "'";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)
            << "message: " << e.what() << "\nexpected to contain: " << fragment;
    }
}

}  // namespace

TEST(Safetensors, EveryDtypeReadsBackAsNumpyWroteIt) {
    const Written w = writeMixedDtypes();
    auto model = readPath(w.path);
    EXPECT_EQ(model->format, "safetensors");
    int tensors = 0;
    model->forEachTensor([&](Node& n) {
        ++tensors;
        ASSERT_TRUE(w.expected.contains(n.path)) << n.path;
        const nlohmann::json& e = w.expected[n.path];
        EXPECT_EQ(n.tensor->shape, e["shape"].get<std::vector<std::int64_t>>()) << n.path;
        const std::vector<double> got = n.tensor->toDoubles();
        const std::vector<double> want = e["values"].get<std::vector<double>>();
        ASSERT_EQ(got.size(), want.size()) << n.path;
        for (std::size_t i = 0; i < got.size(); ++i)
            EXPECT_EQ(got[i], want[i]) << n.path << "[" << i << "]";
    });
    EXPECT_EQ(tensors, int(w.expected.size()));
    EXPECT_EQ(model->find("encoder.layer.1.weight")->tensor->dtype, ws::DType::BF16);
    EXPECT_EQ(model->find("encoder.layer.0.bias")->tensor->dtype, ws::DType::F16);
    EXPECT_EQ(model->find("mask")->tensor->dtype, ws::DType::Bool);
    EXPECT_EQ(model->find("encoder.norm.num_batches_tracked")->tensor->shape.size(), 0u);
    EXPECT_TRUE(model->warnings.empty()) << model->warnings.front();
}

TEST(Safetensors, OpeningReadsNoTensorBytes) {
    const Written w = writeMixedDtypes();
    const std::uint64_t before = ws::Tensor::bytesRead();
    auto model = readPath(w.path);
    EXPECT_EQ(ws::Tensor::bytesRead().load(), before);
    (void)model->find("encoder.layer.0.weight")->tensor->contiguousBytes();
    EXPECT_EQ(ws::Tensor::bytesRead().load(), before + 4 * 3 * 4);
}

TEST(Safetensors, DottedNamesBecomeLayersAndMetadataBecomesValues) {
    auto model = readPath(writeMixedDtypes().path);
    Node* encoder = model->find("encoder");
    ASSERT_NE(encoder, nullptr);
    EXPECT_EQ(encoder->kind, NodeKind::Layer);
    Node* layer0 = model->find("encoder.layer.0");
    ASSERT_NE(layer0, nullptr);
    EXPECT_EQ(layer0->kind, NodeKind::Layer);
    ASSERT_EQ(layer0->children.size(), 2u);
    EXPECT_EQ(layer0->children[0]->name, "weight");  // file order, not alphabetical
    EXPECT_EQ(layer0->children[0]->path, "encoder.layer.0.weight");
    EXPECT_EQ(layer0->children[1]->name, "bias");

    Node* meta = model->find("__metadata__");
    ASSERT_NE(meta, nullptr);
    ASSERT_NE(meta->findChild("format"), nullptr);
    EXPECT_EQ(meta->findChild("format")->value, "pt");
    EXPECT_EQ(meta->findChild("format")->kind, NodeKind::Value);
    EXPECT_EQ(meta->findChild("note")->value, "written by the test");
    EXPECT_NE(model->formatDetail.find("11 tensors"), std::string::npos) << model->formatDetail;
}

TEST(Safetensors, NameThatIsAlsoAPrefixStaysFindable) {
    const std::string path = ws_test::tempPath("prefix.safetensors");
    ws_test::runOracleOk(std::string(kWriter) + R"PY(
a = np.arange(3, dtype="<f4")
write(sys.argv[1], [("a", "F32", a), ("a.b", "F32", a), ("a.b.c", "F32", a), ("x..y", "F32", a), (".z", "F32", a)])
)PY",
                         {path});
    auto model = readPath(path);
    for (const char* name : {"a", "a.b", "a.b.c", "x..y", ".z"}) {
        Node* n = model->find(name);
        ASSERT_NE(n, nullptr) << name;
        EXPECT_EQ(n->kind, NodeKind::Tensor) << name;
        EXPECT_EQ(n->tensor->toDoubles(), (std::vector<double>{0, 1, 2})) << name;
    }
}

TEST(Safetensors, GapsAndTrailingBytesAreWarnings) {
    const std::string path = ws_test::tempPath("gap.safetensors");
    ws_test::runOracleOk(std::string(kWriter) + R"PY(
write(sys.argv[1], [("t", "F32", np.ones(2, dtype="<f4"))], pad=12)
)PY",
                         {path});
    auto model = readPath(path);
    ASSERT_EQ(model->warnings.size(), 1u);
    EXPECT_NE(model->warnings[0].find("12 bytes"), std::string::npos) << model->warnings[0];
}

TEST(Safetensors, RejectsDamagedHeaders) {
    const std::string one = "t = [(\"w\", \"F32\", np.ones((2, 2), dtype=\"<f4\"))]\n";
    expectRejected(one + "def p(h): h['w']['dtype'] = 'F8_E4M3'\nwrite(path, t, header_patch=p)\n",
                   "F8_E4M3");
    expectRejected(one + "def p(h): h['w']['dtype'] = 'U32'\nwrite(path, t, header_patch=p)\n",
                   "'w' has unsupported dtype U32");
    expectRejected(
        one + "def p(h): h['w']['data_offsets'] = [0, 17]\nwrite(path, t, header_patch=p)\n",
        "outside the data region");
    expectRejected(
        one + "def p(h): h['w']['data_offsets'] = [8, 4]\nwrite(path, t, header_patch=p)\n",
        "data_offsets [8, 4]");
    expectRejected(one + "def p(h): h['w']['shape'] = [2, 3]\nwrite(path, t, header_patch=p)\n",
                   "needs 24 bytes but its data_offsets span 16");
    expectRejected(
        one + "def p(h): h['w']['shape'] = [2**40, 2**40]\nwrite(path, t, header_patch=p)\n",
        "too large");
    expectRejected(one + "def p(h): h['w']['shape'] = [-2, -2]\nwrite(path, t, header_patch=p)\n",
                   "not a non-negative integer");
    expectRejected(
        one + "def p(h): h['w']['shape'] = [2**64 + 5]\nwrite(path, t, header_patch=p)\n",
        "safetensors:");
    expectRejected(one + "def p(h): del h['w']['data_offsets']\nwrite(path, t, header_patch=p)\n",
                   "has no data_offsets");
    expectRejected(one + "def p(h): h['__metadata__'] = 5\nwrite(path, t, header_patch=p)\n",
                   "__metadata__ is not an object");
    expectRejected(one + "def p(h): h['v'] = [1, 2]\nwrite(path, t, header_patch=p)\n",
                   "'v' is not an object");
}

TEST(Safetensors, RejectsBrokenFraming) {
    // Header length beyond the end of the file.
    expectRejected("open(path, 'wb').write(struct.pack('<Q', 1000) + b'{}')\n",
                   "exceeds the file size");
    // Not JSON / not an object / duplicate keys.
    expectRejected("open(path, 'wb').write(struct.pack('<Q', 9) + b'{\"a\": [1,')\n",
                   "JSON header is invalid");
    expectRejected("open(path, 'wb').write(struct.pack('<Q', 4) + b'[12]')\n", "not an object");
    expectRejected(
        "h = b'{\"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]},"
        " \"w\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}}'\n"
        "open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b'x')\n",
        "names 'w' twice");
    expectRejected("open(path, 'wb').write(b'\\x02\\0\\0')\n", "fewer than the 8-byte");
    // A file cut short inside the data: the offsets then reach outside the data region.
    expectRejected(
        "write(path, [('w', 'F64', np.ones(64))])\n"
        "b = open(path, 'rb').read(); open(path, 'wb').write(b[:-9])\n",
        "outside the data region");
}
