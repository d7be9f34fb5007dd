// SPDX-License-Identifier: GPL-3.0-or-later
// Tensor statistics and histograms against numpy computing the same quantities on the same
// bytes (numpy writes the raw tensor data; the test wraps it in a Tensor).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "model/error.h"
#include "oracle_python.h"
#include "stats/tensor_stats.h"

using ws::DType;
using ws::Tensor;
using ws::TensorStats;

namespace {

// For each case numpy writes <dir>/<name>.bin (raw little-endian elements in storage order) and
// reports its statistics over the finite elements of the array *as the tensor views it*.
const char* kOracle = R"PY(
import sys, json
import numpy as np
out = sys.argv[1]
rng = np.random.default_rng(11)

def bf16_bits(a):
    return (np.asarray(a, dtype="<f4").view("<u4") >> 16).astype("<u2")

cases = {}
def case(name, dtype, storage, view=None):
    storage.tofile(out + name + ".bin")
    values = storage if view is None else view(storage)
    if dtype == "bf16":
        values = (values.astype("<u4") << 16).view("<f4")
    v = np.asarray(values, dtype=np.float64).ravel()
    f = v[np.isfinite(v)]
    # Scaled by the largest magnitude so that squares of huge values cannot overflow numpy.
    scale = float(np.abs(f).max()) if f.size and np.abs(f).max() > 0 else 1.0
    cases[name] = {"dtype": dtype, "shape": list(values.shape), "count": int(v.size),
        "finite": int(f.size), "zeros": int(np.sum(f == 0)), "nan": int(np.sum(np.isnan(v))),
        "inf": int(np.sum(np.isinf(v))),
        "min": float(f.min()) if f.size else None, "max": float(f.max()) if f.size else None,
        "mean": float(f.mean()) if f.size else None, "std": scale * float((f / scale).std()) if f.size else None,
        "l2": scale * float(np.linalg.norm(f / scale)),
        "hist": np.histogram(f, bins=7)[0].tolist() if f.size else None}

f32 = rng.standard_normal((30, 40)).astype("<f4")
f32[0, :5] = 0
f32[3, 3] = np.nan; f32[4, 4] = np.inf; f32[5, 5] = -np.inf
case("f32", "f32", f32)
f16 = (rng.standard_normal(1000) * 100).astype("<f2")
f16[10] = np.nan; f16[20] = np.inf
case("f16", "f16", f16)
case("bf16", "bf16", bf16_bits(rng.standard_normal((8, 16)) * 3))
case("i32", "i32", rng.integers(-1000, 1000, size=(17, 3)).astype("<i4"))
case("u8", "u8", rng.integers(0, 256, size=300).astype("u1"))
case("bool", "bool", rng.random(50) > 0.3)
case("f64_huge", "f64", np.array([1e300, -1e300, 3e299, 0.0]))
case("all_nan", "f32", np.full(4, np.nan, dtype="<f4"))
# A transposed view: the tensor reads the storage with strides (1, 40).
case("f32_transposed", "f32", rng.standard_normal((30, 40)).astype("<f4"), view=lambda s: s.T)
print(json.dumps(cases))
)PY";

DType dtypeFromName(const std::string& n) {
    for (DType d : {DType::F16, DType::BF16, DType::F32, DType::F64, DType::I8, DType::I16,
                    DType::I32, DType::I64, DType::U8, DType::Bool})
        if (n == ws::dtypeName(d)) return d;
    throw std::runtime_error("unknown dtype " + n);
}

struct OracleCases {
    std::string dir;
    nlohmann::json cases;
};

const OracleCases& oracle() {
    static OracleCases o = [] {
        OracleCases r{ws_test::tempPath("stats_"), {}};
        r.cases = nlohmann::json::parse(ws_test::runOracleOk(kOracle, {r.dir}));
        return r;
    }();
    return o;
}

Tensor tensorFor(const std::string& name) {
    const nlohmann::json& c = oracle().cases.at(name);
    Tensor t;
    t.dtype = dtypeFromName(c["dtype"]);
    t.shape = c["shape"].get<std::vector<std::int64_t>>();
    // The storage is a (30, 40) C-order array; the view (40, 30) steps 1 along rows, 40 along
    // columns.
    if (name == "f32_transposed") t.strides = {1, t.shape[0]};
    t.storage = std::make_shared<ws::MemoryByteSource>(
        ws_test::readFileBytes(oracle().dir + name + ".bin"));
    return t;
}

void expectClose(double got, const nlohmann::json& want, const std::string& what) {
    if (want.is_null()) {
        EXPECT_TRUE(std::isnan(got)) << what << " = " << got;
        return;
    }
    const double w = want.get<double>();
    EXPECT_NEAR(got, w, 1e-9 * std::max(1.0, std::fabs(w))) << what;
}

}  // namespace

TEST(TensorStats, MatchNumpyForEveryDtypeAndNonFiniteValues) {
    for (const auto& [name, c] : oracle().cases.items()) {
        SCOPED_TRACE(name);
        const Tensor t = tensorFor(name);
        const TensorStats s = ws::computeStats(t);
        EXPECT_EQ(s.count, c["count"].get<std::uint64_t>());
        EXPECT_EQ(s.finite, c["finite"].get<std::uint64_t>());
        EXPECT_EQ(s.zeros, c["zeros"].get<std::uint64_t>());
        EXPECT_EQ(s.nan, c["nan"].get<std::uint64_t>());
        EXPECT_EQ(s.inf, c["inf"].get<std::uint64_t>());
        expectClose(s.min, c["min"], "min");
        expectClose(s.max, c["max"], "max");
        expectClose(s.mean, c["mean"], "mean");
        expectClose(s.std, c["std"], "std");
        expectClose(s.l2, c["l2"], "l2");
    }
}

TEST(TensorStats, ChunkedPassEqualsWholeVector) {
    const Tensor t = tensorFor("f16");
    const TensorStats a = ws::computeStats(t);
    const TensorStats b = ws::computeStats(t.toDoubles());
    EXPECT_EQ(a.min, b.min);
    EXPECT_EQ(a.max, b.max);
    EXPECT_EQ(a.mean, b.mean);
    EXPECT_EQ(a.std, b.std);
    EXPECT_EQ(a.nan, b.nan);
}

TEST(TensorStats, EmptyTensorHasNoFiniteStatistics) {
    const TensorStats s = ws::computeStats(std::vector<double>{});
    EXPECT_EQ(s.count, 0u);
    EXPECT_TRUE(std::isnan(s.mean));
    EXPECT_EQ(s.l2, 0);
}

TEST(TensorStats, DamagedStorageIsAFormatError) {
    Tensor t = tensorFor("f32");
    t.shape = {31, 40};  // one row more than the storage holds
    EXPECT_THROW(ws::computeStats(t), ws::FormatError);
}

TEST(Histogram, MatchesNumpyHistogram) {
    for (const char* name : {"f32", "f16", "bf16", "i32", "f64_huge", "f32_transposed"}) {
        SCOPED_TRACE(name);
        const nlohmann::json& c = oracle().cases.at(name);
        const ws::Histogram h = ws::computeHistogram(tensorFor(name).toDoubles(), 7);
        EXPECT_EQ(h.counts, c["hist"].get<std::vector<std::uint64_t>>());
        EXPECT_EQ(h.nonFinite, c["nan"].get<std::uint64_t>() + c["inf"].get<std::uint64_t>());
        expectClose(h.lo, c["min"], "lo");
        expectClose(h.hi, c["max"], "hi");
    }
}

TEST(Histogram, ConstantAndNonFiniteInputs) {
    const ws::Histogram one = ws::computeHistogram({2.0, 2.0, 2.0}, 4);
    std::uint64_t total = 0;
    for (auto n : one.counts) total += n;
    EXPECT_EQ(total, 3u);
    EXPECT_LT(one.lo, 2.0);
    EXPECT_GT(one.hi, 2.0);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const ws::Histogram none = ws::computeHistogram({nan, INFINITY}, 4);
    EXPECT_EQ(none.nonFinite, 2u);
    EXPECT_EQ(none.counts, (std::vector<std::uint64_t>(4, 0)));
}
