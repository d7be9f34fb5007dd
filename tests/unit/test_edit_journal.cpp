// The crash journal of an editing session (core/edit/edit_journal.h) on the bundled LSTM file:
// what is journalled while editing (with undo and redo) replays into a freshly opened model to
// exactly the same bytes; a journal written after a save rewinds the saved file to the state
// before its first step; a torn last line is ignored, damage elsewhere is refused; a changed
// source file is noticed; only journals of processes that are gone count as leftovers.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "edit/edit_journal.h"
#include "edit/edit_session.h"
#include "edit_test_support.h"
#include "formats/open_model.h"
#include "model/error.h"
#include "save/save_model.h"

using ws::Edit;
using ws::parseRegion;
using ws::Scalar;

namespace {

const char* const kTensor = "lstm.weight_hh_l1";  // (200, 50) f32
const char* const kBias = "lstm.bias_ih_l0";

// Every tensor's bytes, by path.
std::vector<std::pair<std::string, std::vector<std::uint8_t>>> allBytes(const ws::Model& m) {
    std::vector<std::pair<std::string, std::vector<std::uint8_t>>> out;
    m.forEachTensor([&](ws::Node& n) { out.emplace_back(n.path, n.tensor->contiguousBytes()); });
    return out;
}

// The journal's current state applied to `model`, the way the GUI's undo stack replays it: a
// push writes its "after" bytes, moving the index back writes "before" bytes, forward "after".
void replay(ws::Model& model, const ws::JournalState& state) {
    ws::rewindToBase(model, state);
    std::vector<ws::JournalEntry> steps;
    std::size_t index = 0;
    auto write = [&](const ws::JournalEntry& e, bool after) {
        if (after)
            for (const auto& p : e.parts) ws::applyEdit(model, ws::restoreEdit(p, true));
        else
            for (auto p = e.parts.rbegin(); p != e.parts.rend(); ++p)
                ws::applyEdit(model, ws::restoreEdit(*p, false));
    };
    for (const ws::JournalOp& op : state.ops) {
        if (op.kind == ws::JournalOp::Kind::Push) {
            steps.resize(index);
            steps.push_back(op.entry);
            write(op.entry, true);
            index = steps.size();
            continue;
        }
        while (index > op.index) write(steps[--index], false);
        while (index < op.index) write(steps[index++], true);
    }
}

// Applies one edit through the session and journals it like the GUI does.
void editAndJournal(ws::EditSession& session, ws::EditJournal& journal, const Edit& edit) {
    session.apply(edit);
    journal.push(session.steps().back());
}

std::string scratchJournal(const std::string& leaf) {
    const std::string dir = ws_test::tempPath("journals-" + leaf);
    return ws::newJournalFile(dir);
}

}  // namespace

TEST(EditJournal, ReplaysEditsUndoAndRedoToTheSameBytes) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string file = ws_test::copyToScratch(original, "journal_replay.pth");
    std::shared_ptr<ws::Model> model = ws::openModel(file);
    ws::EditSession session(model);
    const std::string journalFile = scratchJournal("replay");
    ws::EditJournal journal(journalFile, ws::describeSource(file), 0, {}, 0);

    editAndJournal(session, journal,
                   Edit::set(kTensor, parseRegion("3, 7"), Scalar::fromReal(0.1)));
    editAndJournal(session, journal,
                   Edit::scale(kTensor, parseRegion("10:14, ::3"), Scalar::fromReal(-2.5)));
    editAndJournal(session, journal, Edit::add(kBias, parseRegion(":5"), Scalar::fromReal(1e-3)));
    session.undo();
    journal.setIndex(2);
    session.undo();
    journal.setIndex(1);
    session.redo();
    journal.setIndex(2);
    // A new edit after an undo drops the undone step, as a push does in the journal.
    editAndJournal(session, journal, Edit::set(kBias, parseRegion("-1"), Scalar::fromInt(-7)));

    const ws::JournalState state = ws::readJournal(journalFile);
    EXPECT_EQ(state.stepCount, 3u);
    EXPECT_EQ(state.index, 3u);
    ASSERT_EQ(state.stepSummaries.size(), 3u);
    EXPECT_EQ(state.stepSummaries[1].rfind("scale lstm.weight_hh_l1[10:14, ", 0), 0u)
        << state.stepSummaries[1];
    EXPECT_EQ(state.stepSummaries[2].rfind("set lstm.bias_ih_l0[199]", 0), 0u)
        << state.stepSummaries[2];
    EXPECT_EQ(state.pid, long(::getpid()));
    EXPECT_TRUE(ws::sourceUnchanged(state.source));

    std::shared_ptr<ws::Model> fresh = ws::openModel(file);
    const auto untouched = allBytes(*fresh);
    replay(*fresh, state);
    EXPECT_EQ(allBytes(*fresh), allBytes(*model));
    EXPECT_NE(allBytes(*fresh), untouched);  // the test can see a difference at all
    // The undone bias step is not in the replayed state: element 0 is as in the file.
    EXPECT_EQ(ws_test::valuesAt(*fresh, kBias)[0],
              ws_test::valuesAt(*ws::openModel(file), kBias)[0]);
    journal.remove();
    EXPECT_FALSE(std::ifstream(journalFile).good());
}

TEST(EditJournal, AfterASaveRewindsTheSavedFileToTheFirstStep) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string file = ws_test::copyToScratch(original, "journal_saved.pth");
    std::shared_ptr<ws::Model> model = ws::openModel(file);
    const auto atOpen = allBytes(*model);
    ws::EditSession session(model);
    std::vector<ws::JournalEntry> steps;
    for (const Edit& e : {Edit::set(kTensor, parseRegion("0, 0:4"), Scalar::fromReal(9.5)),
                          Edit::add(kTensor, parseRegion("0, 2:6"), Scalar::fromReal(1.0))}) {
        session.apply(e);
        steps.push_back(session.steps().back());
    }
    ws::saveModel(*model, file);  // in place: the file now holds both steps
    session.undo();               // and the session is one step behind it
    const std::string journalFile = scratchJournal("saved");
    { ws::EditJournal journal(journalFile, ws::describeSource(file), 2, steps, 1); }
    const ws::JournalState state = ws::readJournal(journalFile);
    EXPECT_EQ(state.saved, 2u);
    EXPECT_EQ(state.index, 1u);

    std::shared_ptr<ws::Model> fromSaved = ws::openModel(file);
    ws::rewindToBase(*fromSaved, state);
    EXPECT_EQ(allBytes(*fromSaved), atOpen);

    std::shared_ptr<ws::Model> replayed = ws::openModel(file);
    replay(*replayed, state);
    EXPECT_EQ(allBytes(*replayed), allBytes(*model));
}

TEST(EditJournal, TornLastLineIsIgnoredDamageElsewhereIsRefused) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    std::shared_ptr<ws::Model> model = ws::openModel(original);
    ws::EditSession session(model);
    const std::string journalFile = scratchJournal("torn");
    {
        ws::EditJournal journal(journalFile, ws::describeSource(original), 0, {}, 0);
        editAndJournal(session, journal,
                       Edit::set(kTensor, parseRegion("1, 1"), Scalar::fromReal(2.0)));
        editAndJournal(session, journal,
                       Edit::set(kTensor, parseRegion("2, 2"), Scalar::fromReal(3.0)));
    }
    std::string text;
    {
        std::ifstream in(journalFile);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    // A crash in the middle of the last write: half a line.
    const std::string torn = text.substr(0, text.size() - 40);
    ws_test::writeFileBytes(journalFile, std::vector<std::uint8_t>(torn.begin(), torn.end()));
    const ws::JournalState state = ws::readJournal(journalFile);
    EXPECT_EQ(state.stepCount, 1u);

    // The same damage in the middle is not a crash artefact: refused, naming the line.
    const std::size_t secondLineEnd = text.find('\n', text.find('\n') + 1);
    std::string damaged = text;
    damaged.insert(secondLineEnd - 5, "garbage");
    ws_test::writeFileBytes(journalFile, std::vector<std::uint8_t>(damaged.begin(), damaged.end()));
    try {
        ws::readJournal(journalFile);
        FAIL() << "a damaged journal was accepted";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
    }
}

TEST(EditJournal, NoticesAChangedSourceFile) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string file = ws_test::copyToScratch(original, "journal_changed.pth");
    const ws::JournalSource before = ws::describeSource(file);
    EXPECT_TRUE(ws::sourceUnchanged(before));
    {
        std::ofstream out(file, std::ios::app | std::ios::binary);
        out << "x";
    }
    EXPECT_FALSE(ws::sourceUnchanged(before));
    ws::JournalSource gone = before;
    gone.path += ".missing";
    EXPECT_FALSE(ws::sourceUnchanged(gone));
}

TEST(EditJournal, OnlyJournalsOfEndedProcessesAreLeftovers) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string dir = ws_test::tempPath("journals-leftover");
    const std::string mine = ws::newJournalFile(dir);
    ws::EditJournal live(mine, ws::describeSource(original), 0, {}, 0);

    // A child writes a journal and exits without removing it: that one is left over.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ws::EditJournal orphan(ws::newJournalFile(dir), ws::describeSource(original), 0, {}, 0);
        ::_exit(0);  // no destructors: like a crash
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    const std::vector<std::string> left = ws::leftoverJournals(dir);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_NE(left[0], mine);
    EXPECT_EQ(ws::readJournal(left[0]).pid, long(child));
    EXPECT_FALSE(ws::processRunning(child));
    EXPECT_TRUE(ws::processRunning(::getpid()));
    std::remove(left[0].c_str());
    live.remove();
}

// A journal's pid is read from the file: one that pid_t cannot hold must not wrap to -1, which
// kill() takes as "every process" (and so reports running).
TEST(EditJournal, PidsOutsidePidTAreNotRunning) {
    EXPECT_FALSE(ws::processRunning(4294967295L));
    EXPECT_FALSE(ws::processRunning(-1));
    EXPECT_FALSE(ws::processRunning(0));
}
