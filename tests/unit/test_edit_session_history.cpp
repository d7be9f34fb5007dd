// SPDX-License-Identifier: GPL-3.0-or-later
// EditSession as the one history: numbered versions, revertTo(n), the saved version and the
// change notifications its observers (the GUI's undo stack, the crash journal) follow; a
// refused move changes nothing; a read snapshot keeps its bytes while the model is edited.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edit/edit_session.h"
#include "edit/editable_storage.h"
#include "formats/open_model.h"
#include "model/error.h"

using ws::Edit;
using ws::parseRegion;
using ws::Scalar;
using ws::SessionChange;

namespace {

const std::string kTensor = "lstm.weight_hh_l1";  // (200, 50) f32

std::shared_ptr<ws::Model> openExample() {
    return std::shared_ptr<ws::Model>(
        ws::openModel(std::string(WS_EXAMPLES_DIR) + "/seed_lstm_state_dict.pth"));
}

double at(ws::Model& m, int r, int c) { return m.find(kTensor)->tensor->toDoubles()[r * 50 + c]; }

}  // namespace

TEST(EditSessionHistory, VersionsRevertToAndTheSavedVersion) {
    auto model = openExample();
    ws::EditSession session(model);
    const double original = at(*model, 0, 0);
    std::vector<SessionChange> seen;
    session.observe([&](const SessionChange& c) { seen.push_back(c); });

    for (int i = 1; i <= 3; ++i)
        session.apply(Edit::set(kTensor, parseRegion("0, 0"), Scalar::fromReal(i)));
    EXPECT_EQ(session.version(), 3u);
    EXPECT_EQ(session.lastVersion(), 3u);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[2].kind, SessionChange::Kind::Pushed);
    EXPECT_EQ(seen[2].version, 3u);
    EXPECT_EQ(seen[2].tensors, std::set<std::string>{kTensor});

    session.revertTo(1);  // two steps back at once
    EXPECT_EQ(at(*model, 0, 0), 1.0);
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[3].kind, SessionChange::Kind::Moved);
    EXPECT_EQ(seen[3].from, 3u);
    EXPECT_EQ(seen[3].version, 1u);
    session.markSaved();
    EXPECT_EQ(seen.back().kind, SessionChange::Kind::Saved);
    EXPECT_FALSE(session.unsavedChanges());
    session.revertTo(3);
    EXPECT_EQ(at(*model, 0, 0), 3.0);
    EXPECT_TRUE(session.unsavedChanges());
    EXPECT_EQ(session.unsavedSteps().size(), 2u);
    session.revertTo(0);
    EXPECT_EQ(at(*model, 0, 0), original);
    EXPECT_THROW(session.revertTo(4), ws::FormatError);

    // A new step at version 0 drops all three, and with them the saved version.
    session.apply(Edit::set(kTensor, parseRegion("0, 0"), Scalar::fromReal(9)));
    EXPECT_EQ(session.lastVersion(), 1u);
    EXPECT_EQ(session.savedVersion(), ws::EditSession::kNoVersion);
    EXPECT_TRUE(session.unsavedChanges());
}

TEST(EditSessionHistory, ARefusedMoveLeavesModelAndVersionAsTheyWere) {
    auto model = openExample();
    ws::EditSession session(model);
    session.apply(Edit::set(kTensor, parseRegion("1, 1"), Scalar::fromReal(4)));
    session.apply(Edit::set(kTensor, parseRegion("150, 1"), Scalar::fromReal(5)));
    ws::Tensor& t = *model->find(kTensor)->tensor;
    const std::vector<std::int64_t> shape = t.shape;
    t.shape = {100, 50};  // row 150 is gone: taking the second step back is refused
    int moves = 0;
    session.observe([&](const SessionChange&) { ++moves; });
    EXPECT_THROW(session.revertTo(0), ws::EditRefused);
    t.shape = shape;
    EXPECT_EQ(session.version(), 2u);
    EXPECT_EQ(moves, 0);
    EXPECT_EQ(at(*model, 1, 1), 4.0);
    EXPECT_EQ(at(*model, 150, 1), 5.0);
    // Going forward: the first step goes, the second is refused, the first comes back.
    session.revertTo(0);
    t.shape = {100, 50};
    EXPECT_THROW(session.revertTo(2), ws::EditRefused);
    t.shape = shape;
    EXPECT_EQ(session.version(), 0u);
    EXPECT_NE(at(*model, 1, 1), 4.0);
}

TEST(EditSessionHistory, AReadSnapshotKeepsItsBytesWhileTheModelIsEdited) {
    auto model = openExample();
    ws::EditSession session(model);
    session.apply(Edit::set(kTensor, parseRegion("2, 2"), Scalar::fromReal(1)));
    const ws::TensorPtr live = model->find(kTensor)->tensor;
    const ws::TensorPtr snapshot = ws::readSnapshot(live);
    const std::vector<std::uint8_t> before = snapshot->contiguousBytes();
    session.apply(Edit::set(kTensor, parseRegion("2, 2"), Scalar::fromReal(2)));
    session.apply(Edit::scale(kTensor, parseRegion(""), Scalar::fromReal(3)));
    EXPECT_EQ(snapshot->contiguousBytes(), before);  // copy-on-write: the edit wrote a copy
    EXPECT_EQ(snapshot->toDoubles()[2 * 50 + 2], 1.0);
    EXPECT_EQ(live->toDoubles()[2 * 50 + 2], 6.0);
    // The model's tensors still have the editable storage the savers look for.
    EXPECT_EQ(ws::editedStorages(*model).size(), 1u);
}
