// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/journal_replay.h"

#include <string>
#include <vector>

#include "io/content_hash.h"
#include "model/error.h"

namespace ws {

namespace {

// Writes `bytes` into the part's region and returns what the region held.
std::vector<std::uint8_t> exchange(Model& model, const EditPart& part, bool after) {
    return applyEdit(model, restoreEdit(part, after)).inverse.bytes;
}

// The fingerprinted storages must hold what the journal says the file holds.
void checkFingerprints(const Model& model, const JournalState& journal) {
    for (const StorageFingerprint& f : journal.fingerprints) {
        const Node* node = model.find(f.tensor);
        if (!node || !node->tensor || !node->tensor->storage)
            throw FormatError("the file has no tensor '" + f.tensor + "'");
        const ByteSource& s = *node->tensor->storage;
        if (s.size() != f.size || contentHash(s) != f.hash)
            throw FormatError("the storage of tensor '" + f.tensor + "' has other bytes");
    }
}

// Takes the file's steps back, last first, checking that each region holds the step's after
// bytes. On a mismatch everything written is put back and FormatError is thrown.
void takeBack(Model& model, const JournalState& journal, const std::vector<std::size_t>& holds) {
    std::vector<std::pair<const EditPart*, std::vector<std::uint8_t>>> written;
    try {
        for (auto id = holds.rbegin(); id != holds.rend(); ++id) {
            const EditStep& step = journal.pushed[*id];
            for (auto p = step.parts.rbegin(); p != step.parts.rend(); ++p) {
                std::vector<std::uint8_t> held = exchange(model, *p, false);
                const bool same = held == p->after;
                written.emplace_back(&*p, std::move(held));
                if (!same)
                    throw FormatError("tensor '" + p->path + "' does not hold the values of \"" +
                                      step.summary + "\"");
            }
        }
    } catch (...) {
        for (auto w = written.rbegin(); w != written.rend(); ++w) {
            EditPart back = *w->first;
            back.before = std::move(w->second);
            exchange(model, back, false);
        }
        throw;
    }
}

}  // namespace

void replayJournal(EditSession& session, const JournalState& journal) {
    if (session.lastVersion() != 0) throw FormatError("the model already has edits");
    // What the file may hold: the state of an unfinished save to it (the rename may have
    // happened), else that of the last completed save.
    std::vector<const std::vector<std::size_t>*> candidates;
    if (journal.saveUnfinished && journal.unfinishedTarget == journal.source.path)
        candidates.push_back(&journal.unfinishedHolds);
    candidates.push_back(&journal.fileHolds);
    const std::vector<std::size_t>* holds = nullptr;
    std::string why;
    for (const auto* c : candidates) {
        try {
            // The fingerprints describe the file of the last completed save.
            if (c == &journal.fileHolds) checkFingerprints(session.model(), journal);
            takeBack(session.model(), journal, *c);
            holds = c;
            break;
        } catch (const Error& e) {  // a refused region (EditRefused) too
            if (why.empty()) why = e.what();
        }
    }
    if (!holds)
        throw FormatError(journal.source.path + " is not the file the edits were made to (" + why +
                          "): they cannot be applied to it");
    for (std::size_t i = 0; i < journal.history.size(); ++i) session.replayStep(journal.step(i));
    session.revertTo(journal.index);
    session.setSavedVersion(journal.savedVersion(*holds));
}

}  // namespace ws
