#pragma once
// The crash journal of an editing session: written while the user edits, so that after a crash
// the unsaved edits can be put back exactly. One file per open model, JSON Lines:
//
//   {"weightsmith_journal":1,"pid":N,"saved":K,"source":{"path":..,"size":..,"mtime_ns":..}}
//   {"op":"push","summary":..,"parts":[{"path":..,"start":[..],"count":[..],"step":[..],
//                                        "before":"<hex>","after":"<hex>"}, ...]}
//   {"op":"index","index":I}
//
// The file is only ever appended to, one whole line per write, so a crash leaves at most a
// torn last line (ignored on reading). "push" adds an undo step (dropping the redo steps after
// the current one), "index" moves the current step (undo/redo). Each part stores raw element
// bytes before and after, so replay is exact for every dtype and needs no arithmetic.
//
// The source file holds the state after the first K pushes (K > 0 after a save followed by
// undo): rewindToBase() takes a freshly opened model back to the state before any push by
// writing the "before" bytes of those K pushes in reverse. A journal is only applied to the
// very file it was written for (same path, size and modification time).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "edit/edit_ops.h"
#include "edit/edit_session.h"
#include "edit/region.h"
#include "model/model.h"

namespace ws {

struct JournalSource {
    std::string path;
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
};
// Path, size and modification time of a file now. Throws FormatError when it cannot be read.
JournalSource describeSource(const std::string& path);

// The journal stores the session's steps as they are (edit/edit_session.h).
using JournalPart = EditPart;
using JournalEntry = EditStep;

struct JournalOp {
    enum class Kind { Push, Index } kind = Kind::Push;
    JournalEntry entry;     // Push
    std::size_t index = 0;  // Index: how many steps are applied
};

struct JournalState {
    JournalSource source;
    long pid = 0;
    std::size_t saved = 0;  // the source holds the state after the first `saved` pushes
    std::vector<JournalOp> ops;
    // The undo stack the ops build: steps and how many of them are applied.
    std::size_t stepCount = 0;
    std::size_t index = 0;
    std::vector<std::string> stepSummaries;  // of those steps, oldest first
};

// Reads and checks a journal (a torn last line is dropped). Throws FormatError naming the file.
JournalState readJournal(const std::string& file);

// True when the source file still has the path, size and modification time the journal names.
bool sourceUnchanged(const JournalSource& source);

// Writes the "before" bytes of the first state.saved pushes, last first, so that a model just
// opened from the source is in the state the journal's first push started from. Throws
// FormatError (the model may then be partly rewound: discard it).
void rewindToBase(Model& model, const JournalState& state);

class EditJournal {
  public:
    // Creates `file` (replacing it) and writes the header, then every step of the current undo
    // stack and how many of them are applied. Throws FormatError when the file cannot be
    // written.
    EditJournal(std::string file, const JournalSource& source, std::size_t saved,
                const std::vector<JournalEntry>& steps, std::size_t index);
    ~EditJournal();
    EditJournal(const EditJournal&) = delete;
    EditJournal& operator=(const EditJournal&) = delete;

    void push(const JournalEntry& entry);
    void setIndex(std::size_t index);
    // Closes and deletes the file (after a save or when the edits are discarded).
    void remove();
    const std::string& file() const { return file_; }

  private:
    void writeLine(const std::string& line);

    std::string file_;
    std::FILE* out_ = nullptr;
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
