// SPDX-License-Identifier: GPL-3.0-or-later
// Exports read back by Weightsmith's own readers: the .pth state_dict and the safetensors file
// hold every tensor of the source under its path with the same bytes, edits included. (Real
// torch / numpy / a spec-written reader check the same files in tests/formats/test_export.py.)
#include <gtest/gtest.h>

#include <string>

#include "edit/edit_ops.h"
#include "edit_test_support.h"
#include "export/export_model.h"
#include "formats/open_model.h"
#include "model/error.h"

TEST(EditExport, StateDictAndSafetensorsReadBackWithTheSameTensors) {
    WS_REQUIRE_FIXTURE(path, "pytorch/checkpoint_model_optimizer_state_dict.pt");
    auto model = ws::openModel(path);
    ws::applyEdit(*model, ws::Edit::set("model_state_dict/fc1.weight", ws::parseRegion("2, 3"),
                                        ws::Scalar::fromReal(-1.25)));
    for (const char* ext : {".pth", ".safetensors"}) {
        const std::string out = ws_test::tempPath(std::string("export") + ext);
        const ws::ExportReport report = ws::exportModel(*model, out);
        auto back = ws::openModel(out);
        std::size_t count = 0;
        model->forEachTensor([&](ws::Node& n) {
            ++count;
            const ws::Node* m = back->find(n.path);
            ASSERT_NE(m, nullptr) << ext << ": " << n.path;
            ASSERT_EQ(m->kind, ws::NodeKind::Tensor) << n.path;
            EXPECT_EQ(m->tensor->dtype, n.tensor->dtype) << n.path;
            EXPECT_EQ(m->tensor->shape, n.tensor->shape) << n.path;
            EXPECT_EQ(m->tensor->contiguousBytes(), n.tensor->contiguousBytes()) << n.path;
        });
        EXPECT_EQ(report.tensors, count);
        EXPECT_EQ(ws_test::valuesAt(*back, "model_state_dict/fc1.weight")[2 * 5 + 3], -1.25);
        std::remove(out.c_str());
    }
}
