// SPDX-License-Identifier: GPL-3.0-or-later
// The PyTorch readers on real files: every fixture under pytorch/ opens through ws::openModel,
// its structure matches what the file holds (paths, shapes, dtypes, classes), and every tensor's
// values equal what real torch loads (the oracle Python).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "containers/zip.h"
#include "fixture_support.h"
#include "formats/open_model.h"
#include "io/mapped_file.h"
#include "model/error.h"
#include "oracle_python.h"

using ws::DType;
using ws::Node;
using ws::NodeKind;

namespace {

// Opens pytorch/`name` into `var`, or prints SKIP and skips the test when it is absent.
#define OPEN_OR_SKIP(var, name)                                    \
    WS_REQUIRE_FIXTURE(var##Path, std::string("pytorch/") + name); \
    auto var = ws::openModel(var##Path)

const Node& tensorAt(const ws::Model& m, const std::string& path) {
    const Node* n = m.find(path);
    if (!n) throw std::runtime_error("no node at path " + path);
    if (n->kind != NodeKind::Tensor) throw std::runtime_error(path + " is not a tensor");
    return *n;
}

std::string attr(const Node& n, const std::string& key) {
    const std::string* v = n.attribute(key);
    return v ? *v : "";
}

// Loads with real torch and prints {path: {"shape", "dtype", "values"}} using the same path
// rules as the reader: dict keys joined with "/", state_dict keys as they are, a whole module
// by its state_dict.
const char* kTorchOracle = R"PY(
import sys, json, torch, math, warnings
warnings.simplefilter("ignore")
class SimpleNN(torch.nn.Module):  # the class mlp_full_model_pickle.pth was saved from
    pass
import __main__
__main__.SimpleNN = SimpleNN
names = {torch.float16: 'f16', torch.bfloat16: 'bf16', torch.float32: 'f32', torch.float64: 'f64',
         torch.int8: 'i8', torch.int16: 'i16', torch.int32: 'i32', torch.int64: 'i64',
         torch.uint8: 'u8', torch.bool: 'bool'}
def num(x):
    return x if math.isfinite(x) else repr(x)
for path in sys.argv[1:]:  # one JSON line per file
    if 'torchscript' in path:
        obj = torch.jit.load(path, map_location='cpu')
    else:
        obj = torch.load(path, map_location='cpu', weights_only=False)
    out = {}
    def walk(o, prefix):
        if isinstance(o, torch.Tensor):
            out[prefix] = o
        elif isinstance(o, (torch.nn.Module, torch.jit.ScriptModule)):
            for k, v in o.state_dict().items():
                out[(prefix + '/' if prefix else '') + k] = v
        elif isinstance(o, dict):
            for k, v in o.items():
                walk(v, (prefix + '/' if prefix else '') + str(k))
    walk(obj, '')
    print(json.dumps({k: {'shape': list(t.shape), 'dtype': names[t.dtype],
                          'values': [num(x) for x in t.detach().to(torch.float64).flatten().tolist()]}
                      for k, t in out.items()}))
)PY";

bool oracleAvailable() {
    static int state = -1;
    if (state < 0) {
        int status = 0;
        ws_test::runOracle("import torch\n", {}, &status);
        state = status == 0 ? 1 : 0;
        if (!state) std::printf("SKIP: %s cannot import torch\n", WS_ORACLE_PYTHON);
    }
    return state == 1;
}

}  // namespace

TEST(TorchReaders, EveryFixtureMatchesRealTorch) {
    const char* names[] = {"bfloat16_tensor.pt",
                           "checkpoint_epoch_state_dict_sgd.pth",
                           "checkpoint_model_optimizer_state_dict.pt",
                           "cnn_batchnorm_mnist_state_dict.pt",
                           "float16_tensor.pt",
                           "gru_2layer_stock_state_dict.pth",
                           "lstm_3layer_charlm_state_dict.pth",
                           "mixed_dtypes_tensors.pt",
                           "mlp_full_model_pickle.pth",
                           "mlp_full_model_pickle_legacy.pt",
                           "mlp_state_dict.pth",
                           "torchscript_adder_mlp.pt"};
    if (!oracleAvailable()) GTEST_SKIP() << "no torch oracle";
    std::vector<std::string> paths;
    for (const char* name : names) {
        if (auto path = ws_test::fixture(std::string("pytorch/") + name))
            paths.push_back(*path);
        else
            ws_test::printFixtureSkip(std::string("pytorch/") + name);
    }
    if (paths.empty()) GTEST_SKIP() << "no fixtures";
    const std::string oracle = ws_test::runOracleOk(kTorchOracle, paths);
    std::vector<std::string> lines;
    for (std::size_t at = 0, nl; (nl = oracle.find('\n', at)) != std::string::npos; at = nl + 1)
        lines.push_back(oracle.substr(at, nl - at));
    ASSERT_EQ(lines.size(), paths.size()) << oracle;
    int compared = 0;
    for (std::size_t f = 0; f < paths.size(); ++f) {
        const std::string& path = paths[f];
        SCOPED_TRACE(path);
        auto model = ws::openModel(path);
        nlohmann::json expected = nlohmann::json::parse(lines[f]);
        ASSERT_FALSE(expected.empty());
        std::size_t tensors = 0;
        model->forEachTensor([&](Node&) { ++tensors; });
        EXPECT_EQ(tensors, expected.size());
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            SCOPED_TRACE(it.key());
            const Node* node = model->find(it.key());
            ASSERT_TRUE(node && node->kind == NodeKind::Tensor) << "missing tensor " << it.key();
            const ws::Tensor& t = *node->tensor;
            EXPECT_EQ(t.shape, it.value()["shape"].get<std::vector<std::int64_t>>());
            EXPECT_EQ(ws::dtypeName(t.dtype), it.value()["dtype"].get<std::string>());
            std::vector<double> got = t.toDoubles();
            const auto& want = it.value()["values"];
            ASSERT_EQ(got.size(), want.size());
            for (std::size_t i = 0; i < got.size(); ++i) {
                if (want[i].is_string()) {
                    EXPECT_FALSE(std::isfinite(got[i])) << "element " << i;
                } else if (got[i] != want[i].get<double>()) {
                    ADD_FAILURE() << "element " << i << ": " << got[i] << " != " << want[i];
                    break;
                }
            }
            ++compared;
        }
    }
    std::printf("compared %d tensors with real torch\n", compared);
}

// Files real torch writes now, in both the zip and the legacy format: all ten dtypes, views
// sharing one storage at an offset, a transposed (non-contiguous) view, a scalar, an empty
// tensor, a Parameter and a nested checkpoint layout.
TEST(TorchReaders, GeneratedDtypesAndViewsMatchTorch) {
    if (!oracleAvailable()) GTEST_SKIP() << "no torch oracle";
    const char* generator = R"PY(
import sys, collections, torch
base = torch.arange(24, dtype=torch.float32) * 0.5 - 3
obj = collections.OrderedDict()
for name, dt in [('f16', torch.float16), ('bf16', torch.bfloat16), ('f32', torch.float32),
                 ('f64', torch.float64), ('i8', torch.int8), ('i16', torch.int16),
                 ('i32', torch.int32), ('i64', torch.int64), ('u8', torch.uint8),
                 ('bool', torch.bool)]:
    obj['dtypes.' + name] = (base if dt != torch.uint8 else base.abs()).to(dt).reshape(4, 6)
shared = torch.arange(30, dtype=torch.float64)
obj['views.head'] = shared[:10]
obj['views.tail'] = shared[12:].view(3, 6)
obj['views.transposed'] = shared[:12].view(3, 4).t()
obj['views.scalar'] = torch.tensor(7, dtype=torch.int64)
obj['views.empty'] = torch.zeros(0, 3)
obj['param.weight'] = torch.nn.Parameter(torch.ones(2, 2))
ckpt = {'model': obj, 'nested': {'deeper': {'t': torch.full((2,), -1.5)}}, 'step': 12}
torch.save(ckpt, sys.argv[1])
torch.save(ckpt, sys.argv[2], _use_new_zipfile_serialization=False)
)PY";
    const std::string zipPath = ws_test::tempPath("generated_zip.pt");
    const std::string legacyPath = ws_test::tempPath("generated_legacy.pt");
    ws_test::runOracleOk(generator, {zipPath, legacyPath});
    const std::string oracle = ws_test::runOracleOk(kTorchOracle, {zipPath, legacyPath});
    std::vector<std::string> lines;
    for (std::size_t at = 0, nl; (nl = oracle.find('\n', at)) != std::string::npos; at = nl + 1)
        lines.push_back(oracle.substr(at, nl - at));
    ASSERT_EQ(lines.size(), 2u) << oracle;
    const std::string paths[2] = {zipPath, legacyPath};
    for (int f = 0; f < 2; ++f) {
        SCOPED_TRACE(paths[f]);
        auto model = ws::openModel(paths[f]);
        EXPECT_EQ(model->format, f == 0 ? "torch-zip" : "torch-legacy");
        nlohmann::json expected = nlohmann::json::parse(lines[f]);
        EXPECT_EQ(expected.size(), 17u);
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            SCOPED_TRACE(it.key());
            const Node* node = model->find(it.key());
            ASSERT_TRUE(node && node->kind == NodeKind::Tensor);
            EXPECT_EQ(node->tensor->shape, it.value()["shape"].get<std::vector<std::int64_t>>());
            EXPECT_EQ(ws::dtypeName(node->tensor->dtype), it.value()["dtype"].get<std::string>());
            EXPECT_EQ(node->tensor->toDoubles(), it.value()["values"].get<std::vector<double>>());
        }
        // The views of one storage share it; the transposed one is not contiguous.
        const Node& head = tensorAt(*model, "model/views.head");
        const Node& tail = tensorAt(*model, "model/views.tail");
        EXPECT_EQ(head.tensor->storageKey, tail.tensor->storageKey);
        EXPECT_EQ(tail.tensor->storageOffset, 12);
        EXPECT_FALSE(tensorAt(*model, "model/views.transposed").tensor->isContiguous());
        EXPECT_EQ(model->find("step")->value, "12");
        EXPECT_EQ(model->find("model/views")->kind, NodeKind::Layer);
    }
    std::remove(zipPath.c_str());
    std::remove(legacyPath.c_str());
}

TEST(TorchReaders, LstmStateDict) {
    OPEN_OR_SKIP(m, "lstm_3layer_charlm_state_dict.pth");
    EXPECT_EQ(m->format, "torch-zip");
    const Node& w = tensorAt(*m, "lstm.weight_ih_l0");
    EXPECT_EQ(w.tensor->shape, (std::vector<std::int64_t>{512, 128}));
    EXPECT_EQ(w.tensor->dtype, DType::F32);
    ASSERT_TRUE(w.parent);
    EXPECT_EQ(w.parent->kind, NodeKind::Layer);
    EXPECT_EQ(w.parent->name, "lstm");
    EXPECT_EQ(w.parent->path, "lstm");
    EXPECT_EQ(w.name, "weight_ih_l0");
    EXPECT_NE(m->find("lstm.bias_hh_l2"), nullptr);
    EXPECT_NE(m->formatDetail.find("lstm_model/"), std::string::npos);  // not "archive/"
    EXPECT_TRUE(m->pickle.placeholderClasses.empty());
    EXPECT_TRUE(m->pickle.dangerousGlobals.empty());
}

TEST(TorchReaders, OpeningReadsNoTensorData) {
    const std::uint64_t before = ws::Tensor::bytesRead().load();
    OPEN_OR_SKIP(m, "cnn_batchnorm_mnist_state_dict.pt");
    EXPECT_EQ(ws::Tensor::bytesRead().load(), before);
    // Storages of the zip are windows into the mapped file, not copies.
    const Node& fc = tensorAt(*m, "fc1.weight");
    EXPECT_NE(fc.tensor->storage->data(), nullptr);
    EXPECT_EQ(attr(fc, "location"), "mps");  // saved on Apple GPU, read on the CPU
}

TEST(TorchReaders, GruSharedCudaStorages) {
    OPEN_OR_SKIP(m, "gru_2layer_stock_state_dict.pth");
    const Node& ih = tensorAt(*m, "gru1.weight_ih_l0");
    const Node& hh = tensorAt(*m, "gru1.weight_hh_l0");
    const Node& bias = tensorAt(*m, "gru1.bias_hh_l0");
    EXPECT_EQ(attr(ih, "location"), "cuda:0");
    // One flat cuDNN storage viewed at offsets: the same key and the same bytes.
    EXPECT_EQ(ih.tensor->storageKey, hh.tensor->storageKey);
    EXPECT_EQ(ih.tensor->storage, hh.tensor->storage);
    EXPECT_EQ(hh.tensor->storageOffset, 192 * 28);
    EXPECT_EQ(bias.tensor->storageOffset, 192 * 28 + 192 * 64 + 192);
    EXPECT_NE(tensorAt(*m, "gru2.weight_ih_l0").tensor->storageKey, ih.tensor->storageKey);
}

TEST(TorchReaders, CheckpointDicts) {
    OPEN_OR_SKIP(m, "checkpoint_model_optimizer_state_dict.pt");
    EXPECT_EQ(tensorAt(*m, "model_state_dict/fc1.weight").tensor->shape,
              (std::vector<std::int64_t>{10, 5}));
    EXPECT_EQ(tensorAt(*m, "optimizer_state_dict/state/0/momentum_buffer").tensor->shape,
              (std::vector<std::int64_t>{10, 5}));
    const Node* group = m->find("model_state_dict");
    ASSERT_TRUE(group);
    EXPECT_EQ(group->kind, NodeKind::Group);
    const Node* epoch = m->find("epoch");
    ASSERT_TRUE(epoch);
    EXPECT_EQ(epoch->kind, NodeKind::Value);
    EXPECT_EQ(epoch->value, "42");
    EXPECT_EQ(epoch->valueType, "int");
    const Node* loss = m->find("loss");
    ASSERT_TRUE(loss);
    EXPECT_EQ(loss->valueType, "float");
    EXPECT_EQ(std::stod(loss->value), 0.123);

    OPEN_OR_SKIP(sgd, "checkpoint_epoch_state_dict_sgd.pth");
    EXPECT_EQ(sgd->find("epoch")->value, "1000");
    EXPECT_EQ(tensorAt(*sgd, "state_dict/encoder.weight").tensor->shape,
              (std::vector<std::int64_t>{10, 2}));
    const Node* momentum = sgd->find("optimizer/state/0/momentum_buffer");
    ASSERT_TRUE(momentum);
    EXPECT_EQ(momentum->valueType, "None");
    const Node* groups = sgd->find("optimizer/param_groups");
    ASSERT_TRUE(groups);
    auto parsed = nlohmann::json::parse(groups->value);  // JSON text for structured values
    EXPECT_EQ(parsed[0]["lr"].get<double>(), 0.001);
    EXPECT_EQ(parsed[0]["params"].size(), 4u);
    EXPECT_NE(sgd->formatDetail.find("no byteorder record"), std::string::npos);
}

TEST(TorchReaders, DtypesFromStorageClasses) {
    OPEN_OR_SKIP(mixed, "mixed_dtypes_tensors.pt");
    EXPECT_EQ(tensorAt(*mixed, "float32").tensor->dtype, DType::F32);
    EXPECT_EQ(tensorAt(*mixed, "int64").tensor->dtype, DType::I64);
    EXPECT_EQ(tensorAt(*mixed, "bool").tensor->dtype, DType::Bool);
    EXPECT_EQ(tensorAt(*mixed, "float64").tensor->dtype, DType::F64);
    OPEN_OR_SKIP(bf, "bfloat16_tensor.pt");
    EXPECT_EQ(tensorAt(*bf, "tensor").tensor->dtype, DType::BF16);
    OPEN_OR_SKIP(h, "float16_tensor.pt");
    EXPECT_EQ(tensorAt(*h, "tensor").tensor->dtype, DType::F16);
    EXPECT_EQ(tensorAt(*h, "tensor").tensor->shape, (std::vector<std::int64_t>{3}));
}

TEST(TorchReaders, WholePickledModule) {
    OPEN_OR_SKIP(m, "mlp_full_model_pickle.pth");
    ASSERT_EQ(m->root->children.size(), 1u);
    const Node& top = *m->root->children[0];
    EXPECT_EQ(top.kind, NodeKind::Layer);
    EXPECT_EQ(top.className, "SimpleNN");
    EXPECT_EQ(attr(top, "class"), "__main__.SimpleNN");
    const Node* fc1 = m->find("fc1");
    ASSERT_TRUE(fc1);
    EXPECT_EQ(fc1->className, "Linear");
    EXPECT_EQ(attr(*fc1, "class"), "torch.nn.modules.linear.Linear");
    EXPECT_EQ(attr(*fc1, "in_features"), "10");
    EXPECT_EQ(attr(*fc1, "out_features"), "64");
    const Node* dropout = m->find("dropout");
    ASSERT_TRUE(dropout);
    EXPECT_EQ(dropout->className, "Dropout");
    EXPECT_EQ(attr(*dropout, "p"), "0.2");
    EXPECT_EQ(tensorAt(*m, "fc1.weight").tensor->shape, (std::vector<std::int64_t>{64, 10}));
    EXPECT_EQ(attr(tensorAt(*m, "fc1.weight"), "parameter"), "True");
    const auto& ph = m->pickle.placeholderClasses;
    EXPECT_NE(std::find(ph.begin(), ph.end(), "__main__.SimpleNN"), ph.end());
    EXPECT_NE(std::find(ph.begin(), ph.end(), "torch.nn.modules.linear.Linear"), ph.end());
    EXPECT_TRUE(m->pickle.dangerousGlobals.empty());
}

TEST(TorchReaders, LegacyWholeModule) {
    OPEN_OR_SKIP(m, "mlp_full_model_pickle_legacy.pt");
    EXPECT_EQ(m->format, "torch-legacy");
    EXPECT_NE(m->formatDetail.find("cuda:0"), std::string::npos);
    const Node& top = *m->root->children[0];
    EXPECT_EQ(top.className, "Sequential");
    const Node* first = m->find("0");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->className, "Linear");
    EXPECT_EQ(tensorAt(*m, "0.weight").tensor->shape, (std::vector<std::int64_t>{64, 16}));
    EXPECT_EQ(attr(tensorAt(*m, "0.weight"), "location"), "cuda:0");
    EXPECT_EQ(m->find("7")->className, "Softmax");
    const Node* little = m->find("sys_info/little_endian");
    ASSERT_TRUE(little);
    EXPECT_EQ(little->value, "True");
    EXPECT_NE(m->find("sys_info/type_sizes"), nullptr);
    // Storage bytes are windows into the mapped file, not copies.
    EXPECT_NE(tensorAt(*m, "6.bias").tensor->storage->data(), nullptr);
}

TEST(TorchReaders, TorchScriptArchive) {
    OPEN_OR_SKIP(m, "torchscript_adder_mlp.pt");
    EXPECT_EQ(m->format, "torchscript");
    EXPECT_EQ(m->root->children[0]->className, "Adder");
    const Node* encoder = m->find("encoder");
    ASSERT_TRUE(encoder);
    EXPECT_EQ(encoder->className, "Linear");
    EXPECT_EQ(tensorAt(*m, "encoder.weight").tensor->shape, (std::vector<std::int64_t>{10, 2}));
    EXPECT_EQ(tensorAt(*m, "decoder.bias").tensor->shape, (std::vector<std::int64_t>{1}));
    const Node* code = m->find("code/__torch__.py");
    ASSERT_TRUE(code);
    EXPECT_EQ(code->kind, NodeKind::Value);
    EXPECT_NE(code->value.find("class Adder"), std::string::npos);
}

// Any truncation of a legacy file is an error naming the damage, never a crash or a read past
// the end of the mapping.
TEST(TorchReaders, TruncatedLegacyFilesAreRejected) {
    WS_REQUIRE_FIXTURE(path, "pytorch/mlp_full_model_pickle_legacy.pt");
    const auto bytes = ws_test::readFileBytes(path);
    const std::string cut = ws_test::tempPath("cut.pt");
    int rejected = 0;
    for (std::size_t n = 1; n < bytes.size(); n += (n < 8500 ? 7 : 331)) {
        ws_test::writeFileBytes(cut, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + n));
        try {
            ws::openModel(cut);
            ADD_FAILURE() << "a file cut at " << n << " bytes opened";
        } catch (const ws::FormatError&) {
            ++rejected;
        }
    }
    std::remove(cut.c_str());
    EXPECT_GT(rejected, 100);
}

// Damage inside data.pkl of a zip archive: each byte replaced in turn. Opening either works or
// throws FormatError; nothing else is acceptable.
TEST(TorchReaders, DamagedDataPickleNeverCrashes) {
    WS_REQUIRE_FIXTURE(path, "pytorch/checkpoint_model_optimizer_state_dict.pt");
    auto bytes = ws_test::readFileBytes(path);
    ws::ZipArchive zip(ws::mapFile(path));
    const ws::ZipEntry* pkl = zip.findSuffix("data.pkl");
    ASSERT_TRUE(pkl);
    const std::uint64_t start = zip.dataOffset(*pkl);
    const std::string damaged = ws_test::tempPath("damaged.pt");
    int opened = 0, rejected = 0;
    for (std::uint64_t i = start; i < start + pkl->compressedSize; ++i) {
        for (std::uint8_t v : {std::uint8_t(0x00), std::uint8_t(0xff), std::uint8_t('('),
                               std::uint8_t(bytes[i] ^ 0x01)}) {
            auto copy = bytes;
            copy[i] = v;
            ws_test::writeFileBytes(damaged, copy);
            try {
                auto m = ws::openModel(damaged);
                m->forEachTensor([](Node& n) { n.tensor->toDoubles(); });
                ++opened;
            } catch (const ws::FormatError&) {
                ++rejected;
            }
        }
    }
    std::remove(damaged.c_str());
    EXPECT_GT(rejected, 0);
    EXPECT_GT(opened, 0);
}

// A big-endian archive (byteorder "big", as torch.save writes on s390x): real torch writes a
// little-endian file, the oracle rewrites it with every storage byte-swapped and the record
// set to "big"; the values read must still be torch's.
TEST(TorchReaders, BigEndianByteorderRecord) {
    if (!oracleAvailable()) GTEST_SKIP() << "no torch oracle";
    const char* generator = R"PY(
import sys, zipfile, torch, json
src, dst = sys.argv[1], sys.argv[2]
tensors = {'f32': torch.linspace(-2, 3, 6), 'i64': torch.arange(-3, 3), 'f16': torch.tensor([0.5, -1.25])}
torch.save(tensors, src)
width = {}
with zipfile.ZipFile(src) as z:
    for i, t in enumerate(tensors.values()):
        width[str(i)] = t.element_size()
    with zipfile.ZipFile(dst, 'w', zipfile.ZIP_STORED) as out:
        for info in z.infolist():
            data = z.read(info)
            leaf = info.filename.split('/data/')[-1]
            if '/data/' in info.filename and leaf in width:
                w = width[leaf]
                data = b''.join(data[i:i + w][::-1] for i in range(0, len(data), w))
            if info.filename.endswith('/byteorder'):
                continue
            out.writestr(info.filename, data)
        prefix = z.namelist()[0].split('/')[0]
        out.writestr(prefix + '/byteorder', b'big')  # torch 1.13 writes no record at all
print(json.dumps({k: t.to(torch.float64).tolist() for k, t in tensors.items()}))
)PY";
    const std::string src = ws_test::tempPath("little.pt");
    const std::string dst = ws_test::tempPath("big.pt");
    nlohmann::json expected = nlohmann::json::parse(ws_test::runOracleOk(generator, {src, dst}));
    auto model = ws::openModel(dst);
    EXPECT_NE(model->formatDetail.find("big-endian"), std::string::npos);
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        SCOPED_TRACE(it.key());
        const Node& t = tensorAt(*model, it.key());
        EXPECT_TRUE(t.tensor->bigEndian);
        EXPECT_EQ(t.tensor->toDoubles(), it.value().get<std::vector<double>>());
    }
    std::remove(src.c_str());
    std::remove(dst.c_str());
}

// Tensor kinds the reader does not decode (quantized here) become a value node and a warning;
// the rest of the file still opens.
TEST(TorchReaders, QuantizedTensorIsReportedNotDropped) {
    if (!oracleAvailable()) GTEST_SKIP() << "no torch oracle";
    const std::string path = ws_test::tempPath("quantized.pt");
    int status = 0;
    ws_test::runOracle(R"PY(
import sys, torch
q = torch.quantize_per_tensor(torch.tensor([0.5, 1.0]), 0.1, 0, torch.quint8)
torch.save({'q': q, 'plain': torch.ones(3)}, sys.argv[1])
)PY",
                       {path}, &status);
    if (status != 0) GTEST_SKIP() << "this torch cannot save quantized tensors";
    auto model = ws::openModel(path);
    EXPECT_EQ(tensorAt(*model, "plain").tensor->shape, (std::vector<std::int64_t>{3}));
    const Node* q = model->find("q");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->kind, NodeKind::Value);
    EXPECT_EQ(q->className, "torch._utils._rebuild_qtensor");
    ASSERT_EQ(model->warnings.size(), 1u);
    EXPECT_NE(model->warnings[0].find("not supported"), std::string::npos);
    std::remove(path.c_str());
}

// A tensor pickled with plain pickle.dumps keeps its storage as a nested torch.save blob
// (torch.storage._load_from_bytes). That would be a second torch.load: it is refused with a
// warning and a value node, and the archive still opens.
TEST(TorchReaders, NestedTorchLoadIsRefused) {
    if (!oracleAvailable()) GTEST_SKIP() << "no torch oracle";
    const std::string path = ws_test::tempPath("nested_load.pt");
    ws_test::runOracleOk(R"PY(
import sys, zipfile, pickle, torch
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_STORED) as z:
    z.writestr('nested/data.pkl', pickle.dumps({'t': torch.ones(2), 'epoch': 4}, protocol=2))
    z.writestr('nested/version', '3\n')
)PY",
                         {path});
    auto model = ws::openModel(path);
    const Node* t = model->find("t");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, NodeKind::Value);
    EXPECT_EQ(model->find("epoch")->value, "4");
    ASSERT_EQ(model->warnings.size(), 1u);
    EXPECT_NE(model->warnings[0].find("torch.storage._load_from_bytes"), std::string::npos);
    std::remove(path.c_str());
}
