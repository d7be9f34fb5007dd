// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The crash journal of an editing session: appended to while the user edits, so that after a
// crash the unsaved edits can be put back exactly. One binary file per open model, only ever
// appended to, made of records:
//
//   "WSJ1" | kind (1 byte) | payload length (u64) | payload | CRC-32 of kind, length, payload
//
// (integers little-endian). Kinds: the header (pid, the source file: path, size, mtime, and how
// many of the pushes that follow the file already holds), a push (one step of the history as
// the session keeps it: per part the tensor path, the region, and the raw element bytes before
// and after in the tensor's dtype), a fingerprint (a tensor's whole storage hashed as the file
// holds it, written with the first push that edits it and again after each save), a move
// (undo/redo/revert: the version now applied), a save started (the file being written) and a save
// done (the file's new path, size and mtime, and the version it holds). A record is written whole
// with one write(); a crash leaves at most a torn last record, which the reader ignores. The file
// grows with the bytes edited, never by rewriting: undo, redo and save are records of a few dozen
// bytes.
//
// Replay (edit/journal_replay.h) checks that a freshly opened file's bytes are the journal's
// (fingerprints and the regions' before and after bytes: size and mtime are not trusted), takes
// it back to the version the journal started from, and replays the history.
#include <cstdint>
#include <string>
#include <vector>

#include "edit/edit_session.h"
#include "model/model.h"

namespace ws {

struct JournalSource {
    std::string path;
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
};
// Path, size and modification time of a file now. Throws FormatError when it cannot be read.
JournalSource describeSource(const std::string& path);
// True when the source file still has the path, size and modification time the journal names
// (a quick first look: the content check at replay decides).
bool sourceUnchanged(const JournalSource& source);

// A tensor's storage as the journal's source file holds it (the file named by the header, or by
// the last completed save: a save writes new fingerprints).
struct StorageFingerprint {
    std::string tensor;  // a tensor path viewing the storage
    std::uint64_t size = 0;
    std::uint64_t hash = 0;  // io/content_hash.h
};

// What a journal says, read back.
struct JournalState {
    JournalSource source;  // the file as of the last completed save (else as opened)
    long pid = 0;
    std::vector<EditStep> pushed;      // every step pushed, in order
    std::vector<std::size_t> history;  // the history at the end: indices into `pushed`
    std::size_t index = 0;             // how many of them are applied
    std::size_t stepCount = 0;         // history.size()
    // The steps the source file holds over the journal's starting state, in order.
    std::vector<std::size_t> fileHolds;
    // A save that started and did not finish (the process died): its target and what the file
    // would hold had the rename been made.
    bool saveUnfinished = false;
    std::string unfinishedTarget;
    std::vector<std::size_t> unfinishedHolds;
    std::vector<StorageFingerprint> fingerprints;

    const EditStep& step(std::size_t i) const { return pushed[history[i]]; }
    // The history version the file holds, EditSession::kNoVersion when it holds none of them.
    std::size_t savedVersion(const std::vector<std::size_t>& holds) const;
    // True when the applied state differs from what the file holds.
    bool unsaved() const { return savedVersion(fileHolds) != index; }
};

// Reads and checks a journal (a torn last record is dropped). Throws FormatError naming the file
// and the record when it is damaged elsewhere.
JournalState readJournal(const std::string& file);

class EditJournal {
  public:
    // Creates `file` (replacing it) with its header: `source` holds the first `sourceHolds`
    // steps that will be pushed. Throws FormatError when the file cannot be written.
    EditJournal(std::string file, const JournalSource& source, std::size_t sourceHolds = 0);
    ~EditJournal();
    EditJournal(const EditJournal&) = delete;
    EditJournal& operator=(const EditJournal&) = delete;

    // Appends the step (the session is now at its version); the first time a tensor of
    // `model` appears, also the fingerprint of its storage as it was in the file.
    void push(const EditStep& step, const Model& model);
    void push(const EditStep& step);  // without fingerprints
    void moveTo(std::size_t version);
    void saveStarted(const std::string& target, std::size_t version);
    // The save finished: `file` holds `version`, and the tensors fingerprinted so far hold in it
    // what `model` holds now (their new fingerprints are written).
    void saved(const JournalSource& file, std::size_t version, const Model& model);
    // Closes and deletes the file (the tab closed, or the edits discarded).
    void remove();
    const std::string& file() const { return file_; }
    std::uint64_t bytesWritten() const { return written_; }

  private:
    struct Span {
        const void* data;
        std::size_t size;
    };
    void writeRecord(std::uint8_t kind, const std::vector<Span>& payload);
    void writeFingerprint(const std::string& tensor, const ByteSource& storage);

    std::string file_;
    int fd_ = -1;
    std::uint64_t written_ = 0;
    std::vector<std::string> fingerprinted_;
};

// WS_JOURNAL_DIR when set, else $XDG_STATE_HOME/weightsmith/journal, else
// ~/.local/state/weightsmith/journal. Not created here.
std::string journalDirectory();
// A new file name in the directory for this process (pid and a counter), creating the
// directory when needed. Throws FormatError when it cannot be created.
std::string newJournalFile(const std::string& directory);
// Journals in the directory whose writing process is no longer running, oldest first.
std::vector<std::string> leftoverJournals(const std::string& directory);
bool processRunning(long pid);

}  // namespace ws
