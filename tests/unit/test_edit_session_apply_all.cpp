// SPDX-License-Identifier: GPL-3.0-or-later
// EditSession::applyAll: several edits as one step, all or nothing. A refusal partway takes the
// edits already made back and leaves the history as it was, the redo list and the saved state
// included (the GUI's undo stack and crash journal show that history).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edit/edit_session.h"
#include "edit/paste_source.h"
#include "formats/open_model.h"
#include "model/error.h"

using ws::Edit;
using ws::parseRegion;
using ws::Scalar;

namespace {

const std::string kTensor = "lstm.weight_hh_l1";  // (200, 50) f32

std::shared_ptr<ws::Model> openExample() {
    return std::shared_ptr<ws::Model>(
        ws::openModel(std::string(WS_EXAMPLES_DIR) + "/seed_lstm_state_dict.pth"));
}

}  // namespace

TEST(EditSessionApplyAll, RefusalPartwayKeepsModelRedoListAndSavedState) {
    auto model = openExample();
    ws::EditSession session(model);
    session.apply(Edit::set(kTensor, parseRegion("0, 0"), Scalar::fromReal(1.5)));
    session.apply(Edit::set(kTensor, parseRegion("0, 1"), Scalar::fromReal(2.5)));
    session.markSaved();
    session.undo();
    ASSERT_TRUE(session.canRedo());
    ASSERT_TRUE(session.unsavedChanges());
    const std::vector<std::uint8_t> before = model->find(kTensor)->tensor->contiguousBytes();

    // The first edit fits; the second, a 2x2 block at the last element, does not.
    EXPECT_THROW(session.applyAll({Edit::set(kTensor, parseRegion("5, 5"), Scalar::fromReal(9)),
                                   Edit::paste(kTensor, parseRegion("199, 49"),
                                               ws::parsePasteText("1 2\n3 4"))}),
                 ws::EditRefused);
    EXPECT_EQ(model->find(kTensor)->tensor->contiguousBytes(), before);
    EXPECT_EQ(session.history().size(), 1u);
    ASSERT_TRUE(session.canRedo());
    EXPECT_FALSE(session.redo().empty());
    EXPECT_EQ(model->find(kTensor)->tensor->toDoubles()[1], 2.5);
    EXPECT_FALSE(session.unsavedChanges());  // back at the saved state

    // All accepted: one result per edit, in order, one step, and the redo list is gone.
    session.undo();
    const std::vector<ws::EditResult> results =
        session.applyAll({Edit::set(kTensor, parseRegion("5, 5"), Scalar::fromReal(9)),
                          Edit::add(kTensor, parseRegion("6, 0:2"), Scalar::fromReal(1))});
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].inverse.path, kTensor);
    EXPECT_FALSE(session.canRedo());
    EXPECT_EQ(session.history().size(), 2u);
    EXPECT_EQ(session.steps().back().parts.size(), 2u);
    EXPECT_EQ(model->find(kTensor)->tensor->toDoubles()[5 * 50 + 5], 9.0);
}
