// SPDX-License-Identifier: GPL-3.0-or-later
// Keras saving in one process, as the GUI does it: several .keras archives open at once each
// keep their own weights (libhdf5's core driver tells open images apart by name), and an edited
// archive saved next to its still-open source reopens with the edit, checked against h5py.
#include <gtest/gtest.h>

#include "edit/edit_ops.h"
#include "edit/region.h"
#include "edit/scalar.h"
#include "edit_test_support.h"
#include "formats/open_model.h"
#include "keras_test_support.h"
#include "save/save_model.h"

namespace {

TEST(KerasSave, TwoArchivesOpenAtOnceKeepTheirOwnWeights) {
    WS_REQUIRE_FIXTURE(first, "keras/lstm_functional_keras3.keras");
    WS_REQUIRE_FIXTURE(second, "keras/qkeras_dense_3layer_keras3.keras");
    auto a = ws::openModel(first);
    auto b = ws::openModel(second);
    for (const auto& [file, model] :
         {std::make_pair(first, a.get()), std::make_pair(second, b.get())}) {
        const auto oracle = ws_test::h5pyDatasets(file);
        ASSERT_FALSE(oracle.empty());
        for (const auto& [path, d] : oracle) {
            const ws::Node* node = model->find(path);
            ASSERT_NE(node, nullptr) << file << ": " << path;
            ASSERT_TRUE(node->tensor) << path;
            const std::vector<double> values = node->tensor->toDoubles();
            ASSERT_EQ(values.size(), d.size) << path;
            if (!values.empty()) {
                EXPECT_EQ(values.front(), d.first) << file << ": " << path;
            }
        }
    }
}

TEST(KerasSave, EditedArchiveReopensBesideItsOpenSource) {
    WS_REQUIRE_FIXTURE(source, "keras/lstm_functional_keras3.keras");
    auto model = ws::openModel(source);
    const std::string path = "layers/dense/vars/1";
    ws::applyEdit(*model, ws::Edit::set(path, ws::parseRegion("0"), ws::Scalar::fromReal(2.5)));
    const std::string saved = ws_test::tempPath("edited.keras");
    ws::saveModel(*model, saved);

    auto reopened = ws::openModel(saved);  // while `model` still has its archive open
    EXPECT_EQ(ws_test::valuesAt(*reopened, path).front(), 2.5);
    const auto oracle = ws_test::h5pyDatasets(saved);
    EXPECT_EQ(oracle.at(path).first, 2.5);
    EXPECT_EQ(ws_test::valuesAt(*reopened, "layers/lstm/cell/vars/0"),
              ws_test::valuesAt(*model, "layers/lstm/cell/vars/0"));
}

}  // namespace
