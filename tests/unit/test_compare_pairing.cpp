// SPDX-License-Identifier: GPL-3.0-or-later
// Layer pairing for model comparison (core/compare/compare_units.h): by name, then order with
// kind and shape, the user's explicit pairs first; and ModelComparer on real files: a PyTorch
// state_dict against the same weights pickled as whole modules (kinds known on one side only)
// and a Keras file against itself.
#include <gtest/gtest.h>

#include <filesystem>

#include "compare/model_comparer.h"
#include "convert/dense_array.h"
#include "fixture_support.h"
#include "formats/open_model.h"
#include "model/error.h"

using ws::compare::CompareUnit;
using ws::compare::PairedBy;
using ws::compare::UnitPair;

namespace {

// Units whose tensors are zero-filled arrays of the given shapes (nodes kept alive in `keep`).
struct Units {
    std::vector<std::unique_ptr<ws::Node>> keep;
    std::vector<CompareUnit> units;
    void add(const std::string& label, const std::string& kind,
             const std::vector<std::vector<std::int64_t>>& shapes) {
        CompareUnit u;
        u.label = label;
        u.kind = kind;
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            keep.push_back(ws::convert::toTensorNode(
                ws::convert::DenseArray::filled(shapes[i], 0, ws::DType::F32),
                label + "/t" + std::to_string(i)));
            u.tensors["t" + std::to_string(i)] = keep.back().get();
        }
        units.push_back(std::move(u));
    }
};

std::vector<std::tuple<int, int, PairedBy>> flat(const std::vector<UnitPair>& pairs) {
    std::vector<std::tuple<int, int, PairedBy>> out;
    for (const UnitPair& p : pairs) out.emplace_back(p.a, p.b, p.by);
    return out;
}

}  // namespace

TEST(ComparePairing, NameThenOrderByKindAndShape) {
    Units a, b;
    a.add("conv", "Conv2D", {{3, 3, 1, 8}});
    a.add("dense_1", "Dense", {{16, 4}, {4}});
    a.add("dense_2", "Dense", {{4, 2}, {2}});
    b.add("dense_9", "Dense", {{4, 2}, {2}});   // same shapes as A's dense_2
    b.add("dense_1", "Dense", {{16, 4}, {4}});  // same name as A's dense_1
    b.add("conv_b", "Conv2D", {{3, 3, 1, 8}});
    b.add("extra", "Dense", {{1, 1}});
    const auto pairs = ws::compare::pairUnits(a.units, b.units, {}, false);
    using T = std::tuple<int, int, PairedBy>;
    EXPECT_EQ(flat(pairs),
              (std::vector<T>{T{0, 2, PairedBy::Order}, T{1, 1, PairedBy::Name},
                              T{2, 0, PairedBy::Order}, T{-1, 3, PairedBy::Unpaired}}));
}

TEST(ComparePairing, ShapesMustAgreeForOrderPairing) {
    Units a, b;
    a.add("x", "Dense", {{4, 2}});
    b.add("y", "Dense", {{2, 4}});
    const auto pairs = ws::compare::pairUnits(a.units, b.units, {}, false);
    ASSERT_EQ(pairs.size(), 2u);
    EXPECT_EQ(pairs[0].b, -1);
    EXPECT_EQ(pairs[1].a, -1);
}

TEST(ComparePairing, ExplicitPairsComeFirst) {
    Units a, b;
    a.add("l1", "Dense", {{4, 2}});
    a.add("l2", "Dense", {{4, 2}});
    b.add("l1", "Dense", {{4, 2}});
    b.add("l2", "Dense", {{4, 2}});
    auto pairs = ws::compare::pairUnits(a.units, b.units, {{"l1", "l2"}}, false);
    using T = std::tuple<int, int, PairedBy>;
    EXPECT_EQ(flat(pairs), (std::vector<T>{T{0, 1, PairedBy::User}, T{1, 0, PairedBy::Order}}));
    pairs = ws::compare::pairUnits(a.units, b.units, {{"l1", ""}}, false);
    EXPECT_EQ(flat(pairs), (std::vector<T>{T{0, -1, PairedBy::Unpaired}, T{1, 1, PairedBy::Name},
                                           T{-1, 0, PairedBy::Unpaired}}));
    EXPECT_THROW(ws::compare::pairUnits(a.units, b.units, {{"nope", "l1"}}, false),
                 ws::FormatError);
    EXPECT_THROW(ws::compare::pairUnits(a.units, b.units, {{"l1", "nope"}}, false),
                 ws::FormatError);
    EXPECT_THROW(ws::compare::pairUnits(a.units, b.units, {{"l1", "l1"}, {"l2", "l1"}}, false),
                 ws::FormatError);
}

TEST(ComparePairing, CrossFormatUsesHyperParameters) {
    Units a, b;
    a.add("lstm", "LSTM", {});
    a.add("lstm_1", "LSTM", {});
    a.units[0].params["units"] = 50;
    a.units[1].params["units"] = 80;
    b.add("rnn[0]", "LSTM", {});
    b.add("rnn[1]", "LSTM", {});
    b.units[0].params["units"] = 80;
    b.units[1].params["units"] = 50;
    const auto pairs = ws::compare::pairUnits(a.units, b.units, {}, true);
    EXPECT_EQ(pairs[0].b, 1);
    EXPECT_EQ(pairs[1].b, 0);
}

TEST(ModelComparer, StateDictAgainstPickledModules) {
    WS_REQUIRE_FIXTURE(sd, "pytorch/mlp_state_dict.pth");
    WS_REQUIRE_FIXTURE(whole, "pytorch/mlp_full_model_pickle.pth");
    const auto a = ws::openModel(sd), b = ws::openModel(whole);
    const ws::compare::ModelComparer comparer(*a, *b);
    EXPECT_FALSE(comparer.crossFormat());
    const auto result = comparer.compare({});
    ASSERT_EQ(result.layers.size(), 3u);
    for (const auto& l : result.layers) {
        EXPECT_EQ(l.labelA, l.labelB);
        EXPECT_EQ(l.pair.by, PairedBy::Name);
        EXPECT_TRUE(l.identical()) << l.labelA;
        EXPECT_EQ(l.tensors.size(), 2u);
    }
}

TEST(ModelComparer, KerasAgainstItselfAndAgainstAnotherArchitecture) {
    WS_REQUIRE_FIXTURE(k, "keras/lstm_stacked_timeseries_keras2.h5");
    WS_REQUIRE_FIXTURE(t, "pytorch/gru_2layer_stock_state_dict.pth");
    const auto a = ws::openModel(k), b = ws::openModel(k);
    const auto same = ws::compare::ModelComparer(*a, *b).compare({});
    EXPECT_EQ(same.identicalLayers(), same.layers.size());
    EXPECT_GE(same.layers.size(), 5u);

    // Keras LSTMs against PyTorch GRUs: aligned through the rules, nothing pairs by kind.
    const auto g = ws::openModel(t);
    const auto cross = ws::compare::ModelComparer(*a, *g).compare({});
    EXPECT_TRUE(cross.crossFormat);
    for (const auto& l : cross.layers) {
        if (l.kindA == "LSTM") {
            EXPECT_EQ(l.pair.b, -1) << l.labelA;
        }
    }
}
