// SPDX-License-Identifier: GPL-3.0-or-later
// The crash journal of an editing session (core/edit/edit_journal.h, edit/journal_replay.h) on
// the bundled LSTM file: what is journalled while editing (with undo and redo) replays into a
// freshly opened model to exactly the same bytes and history; a journal that saw a save replays
// from the saved file (also when the process died right after the save's rename); a torn last
// record is ignored, damage elsewhere is refused; a file with other bytes is refused whatever
// its size and time say, one merely touched is accepted; undo, redo and save add a few bytes
// each, an edit its bytes; only journals of processes that are gone count as leftovers.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "edit/edit_journal.h"
#include "edit/edit_session.h"
#include "edit/editable_storage.h"
#include "edit/journal_replay.h"
#include "edit_test_support.h"
#include "formats/open_model.h"
#include "io/atomic_file.h"
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

// A session whose every change goes into the journal, as the GUI's ModelEditor does.
struct JournalledSession {
    std::shared_ptr<ws::Model> model;
    ws::EditSession session;
    ws::EditJournal journal;

    JournalledSession(const std::string& file, const std::string& journalFile)
        : model(ws::openModel(file)),
          session(model),
          journal(journalFile, ws::describeSource(file)) {
        session.observe([this](const ws::SessionChange& c) {
            if (c.kind == ws::SessionChange::Kind::Pushed)
                journal.push(session.steps().back(), *model);
            else if (c.kind == ws::SessionChange::Kind::Moved)
                journal.moveTo(c.version);
        });
    }
    void saveTo(const std::string& file) {
        journal.saveStarted(file, session.version());
        ws::saveModel(*model, file);
        session.markSaved();
        journal.saved(ws::describeSource(file), session.version(), *model);
    }
};

// The journal replayed into a fresh model of `file`.
std::unique_ptr<ws::EditSession> replayed(const std::string& file, const ws::JournalState& state) {
    auto session = std::make_unique<ws::EditSession>(ws::openModel(file));
    ws::replayJournal(*session, state);
    return session;
}

std::string scratchJournal(const std::string& leaf) {
    const std::string dir = ws_test::tempPath("journals-" + leaf);
    return ws::newJournalFile(dir);
}

std::uint64_t fileSize(const std::string& file) {
    struct stat st {};
    return ::stat(file.c_str(), &st) == 0 ? std::uint64_t(st.st_size) : 0;
}

}  // namespace

TEST(EditJournal, ReplaysEditsUndoAndRedoToTheSameBytesAndHistory) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string file = ws_test::copyToScratch(original, "journal_replay.pth");
    const std::string journalFile = scratchJournal("replay");
    JournalledSession s(file, journalFile);

    s.session.apply(Edit::set(kTensor, parseRegion("3, 7"), Scalar::fromReal(0.1)));
    s.session.apply(Edit::scale(kTensor, parseRegion("10:14, ::3"), Scalar::fromReal(-2.5)));
    s.session.apply(Edit::add(kBias, parseRegion(":5"), Scalar::fromReal(1e-3)));
    s.session.undo();
    s.session.undo();
    s.session.redo();
    // A new edit after an undo drops the undone step, as a push does in the journal.
    s.session.apply(Edit::set(kBias, parseRegion("-1"), Scalar::fromInt(-7)));
    s.session.undo();  // one redo step stays

    const ws::JournalState state = ws::readJournal(journalFile);
    EXPECT_EQ(state.stepCount, 3u);
    EXPECT_EQ(state.index, 2u);
    EXPECT_EQ(state.step(1).summary.rfind("scale lstm.weight_hh_l1[10:14, ", 0), 0u)
        << state.step(1).summary;
    EXPECT_EQ(state.step(2).summary.rfind("set lstm.bias_ih_l0[199]", 0), 0u)
        << state.step(2).summary;
    EXPECT_EQ(state.pid, long(::getpid()));
    EXPECT_TRUE(state.unsaved());

    const auto untouched = allBytes(*ws::openModel(file));
    std::unique_ptr<ws::EditSession> back = replayed(file, state);
    EXPECT_EQ(allBytes(back->model()), allBytes(*s.model));
    EXPECT_NE(allBytes(back->model()), untouched);  // the test can see a difference at all
    EXPECT_EQ(back->version(), 2u);
    EXPECT_EQ(back->lastVersion(), 3u);
    EXPECT_EQ(back->savedVersion(), 0u);
    back->redo();
    s.session.redo();
    EXPECT_EQ(allBytes(back->model()), allBytes(*s.model));  // the redo step came back too
    s.journal.remove();
    EXPECT_FALSE(std::ifstream(journalFile).good());
}

TEST(EditJournal, AfterASaveReplaysFromTheSavedFile) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string file = ws_test::copyToScratch(original, "journal_saved.pth");
    const std::string journalFile = scratchJournal("saved");
    JournalledSession s(file, journalFile);
    s.session.apply(Edit::set(kTensor, parseRegion("0, 0:4"), Scalar::fromReal(9.5)));
    s.session.apply(Edit::add(kTensor, parseRegion("0, 2:6"), Scalar::fromReal(1.0)));
    const std::uint64_t beforeSave = fileSize(journalFile);
    s.saveTo(file);    // in place: the file now holds both steps
    s.session.undo();  // and the session is one step behind it
    s.session.apply(Edit::set(kBias, parseRegion("1"), Scalar::fromReal(4)));  // drops step 2
    // The save, the undo: small records; nothing was written again.
    EXPECT_LT(fileSize(journalFile) - beforeSave, 2000u);

    const ws::JournalState state = ws::readJournal(journalFile);
    EXPECT_EQ(state.source.path, file);
    EXPECT_EQ(state.fileHolds.size(), 2u);
    std::unique_ptr<ws::EditSession> back = replayed(file, state);
    EXPECT_EQ(allBytes(back->model()), allBytes(*s.model));
    EXPECT_EQ(back->savedVersion(), ws::EditSession::kNoVersion);  // its step is gone
    EXPECT_EQ(back->version(), 2u);
    back->revertTo(0);
    EXPECT_EQ(allBytes(back->model()), allBytes(*ws::openModel(original)));
}

TEST(EditJournal, ASaveWhoseRenameHappenedBeforeTheCrashIsRecognised) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string file = ws_test::copyToScratch(original, "journal_unfinished.pth");
    const std::string journalFile = scratchJournal("unfinished");
    JournalledSession s(file, journalFile);
    s.session.apply(Edit::set(kTensor, parseRegion("5, 5"), Scalar::fromReal(-2)));
    // The process dies after the rename, before the journal hears that the save is done.
    s.journal.saveStarted(file, s.session.version());
    ws::saveModel(*s.model, file);

    const ws::JournalState state = ws::readJournal(journalFile);
    EXPECT_TRUE(state.saveUnfinished);
    std::unique_ptr<ws::EditSession> back = replayed(file, state);
    EXPECT_EQ(allBytes(back->model()), allBytes(*s.model));
    EXPECT_EQ(back->savedVersion(), 1u);  // the file holds the edit
    EXPECT_FALSE(back->unsavedChanges());
    back->undo();
    EXPECT_EQ(allBytes(back->model()), allBytes(*ws::openModel(original)));
}

TEST(EditJournal, TornLastRecordIsIgnoredDamageElsewhereIsRefused) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string journalFile = scratchJournal("torn");
    {
        JournalledSession s(original, journalFile);
        s.session.apply(Edit::set(kTensor, parseRegion("1, 1"), Scalar::fromReal(2.0)));
        s.session.apply(Edit::set(kTensor, parseRegion("2, 2"), Scalar::fromReal(3.0)));
    }
    const std::vector<std::uint8_t> bytes = ws_test::readFileBytes(journalFile);
    // A crash in the middle of the last write: part of a record.
    for (std::size_t cut : {std::size_t(3), std::size_t(10), std::size_t(30)}) {
        ws_test::writeFileBytes(journalFile,
                                std::vector<std::uint8_t>(bytes.begin(), bytes.end() - cut));
        EXPECT_EQ(ws::readJournal(journalFile).stepCount, 1u) << "cut " << cut;
    }
    // The same damage in the middle is not a crash artefact: refused, naming the record.
    std::vector<std::uint8_t> damaged = bytes;
    damaged[damaged.size() / 2] ^= 0x40;
    ws_test::writeFileBytes(journalFile, damaged);
    try {
        ws::readJournal(journalFile);
        FAIL() << "a damaged journal was accepted";
    } catch (const ws::Error& e) {
        EXPECT_NE(std::string(e.what()).find("record"), std::string::npos) << e.what();
    }
}

TEST(EditJournal, RefusesAFileWithOtherBytesWhateverItsSizeAndTime) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string file = ws_test::copyToScratch(original, "journal_changed.pth");
    const std::string journalFile = scratchJournal("changed");
    {
        JournalledSession s(file, journalFile);
        s.session.apply(Edit::set(kTensor, parseRegion("4, 4"), Scalar::fromReal(1.25)));
    }
    const ws::JournalState state = ws::readJournal(journalFile);

    // Touched only (a copy back over itself): other time, same bytes: restored.
    ws_test::writeFileBytes(file, ws_test::readFileBytes(file));
    EXPECT_FALSE(ws::sourceUnchanged(state.source));
    EXPECT_NO_THROW(replayed(file, state));

    // One byte of an edited tensor's storage, elsewhere than the edited element, changed in
    // place, with the modification time put back as the journal has it (same size too).
    {
        std::uint64_t offset = 0;
        {
            std::shared_ptr<ws::Model> m = ws::openModel(file);
            offset = ws::locateSource(*m->find(kTensor)->tensor->storage).offset;
        }
        std::vector<std::uint8_t> bytes = ws_test::readFileBytes(file);
        bytes.at(offset + (150 * 50 + 3) * 4 + 1) ^= 0x10;
        ws_test::writeFileBytes(file, bytes);
    }
    struct timespec times[2];
    times[0].tv_sec = times[1].tv_sec = state.source.mtimeNs / 1000000000;
    times[0].tv_nsec = times[1].tv_nsec = state.source.mtimeNs % 1000000000;
    ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
    ASSERT_TRUE(ws::sourceUnchanged(state.source));
    try {
        replayed(file, state);
        FAIL() << "edits were restored into a file with other bytes";
    } catch (const ws::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("not the file the edits were made to"),
                  std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find(kTensor), std::string::npos) << e.what();
    }
}

TEST(EditJournal, GrowsWithTheEditedBytesNotWithTheHistory) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string journalFile = scratchJournal("growth");
    JournalledSession s(original, journalFile);
    s.session.apply(Edit::scale(kTensor, parseRegion(""), Scalar::fromReal(2)));  // 200 x 50 f32
    const std::uint64_t bulk = fileSize(journalFile);
    EXPECT_GE(bulk, 2u * 200 * 50 * 4);  // before and after, raw
    EXPECT_LT(bulk, 2u * 200 * 50 * 4 + 1000);
    for (int i = 0; i < 100; ++i) {
        s.session.undo();
        s.session.redo();
    }
    EXPECT_LT(fileSize(journalFile) - bulk, 200u * 30);  // a few dozen bytes per move
    EXPECT_EQ(s.journal.bytesWritten(), fileSize(journalFile));
}

TEST(EditJournal, OnlyJournalsOfEndedProcessesAreLeftovers) {
    const std::string original = ws_test::exampleFile("seed_lstm_state_dict.pth");
    if (original.empty()) GTEST_SKIP();
    const std::string dir = ws_test::tempPath("journals-leftover");
    const std::string mine = ws::newJournalFile(dir);
    ws::EditJournal live(mine, ws::describeSource(original));

    // A child writes a journal and exits without removing it: that one is left over.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ws::EditJournal orphan(ws::newJournalFile(dir), ws::describeSource(original));
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

// The temporary files of an interrupted save are found by their pattern beside the target, and
// only those: not the target, not another file's.
TEST(EditJournal, FindsTheTemporaryFilesOfAnInterruptedSave) {
    const std::string target = ws_test::tempPath("tmpfiles/big.pth");
    const std::string dir = target.substr(0, target.rfind('/'));
    ::mkdir(dir.c_str(), 0700);
    for (const char* name : {"big.pth", ".big.pth.tmp-Ab12Cd", ".other.pth.tmp-Ab12Cd",
                             ".big.pth.tmp-toolong", "big.pth.tmp-Ab12Cd"})
        ws_test::writeFileBytes(dir + "/" + name, {1});
    const std::vector<std::string> found = ws::leftoverTemporaryFiles(target);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0], dir + "/.big.pth.tmp-Ab12Cd");
}
