// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The mutable side of an open model in the GUI: the core EditSession, the QUndoStack that
// mirrors it (Undo/Redo, the history panel), the crash journal written as the stack changes,
// and saving. Views observe tensorsChanged() to re-read what an edit, undo or redo touched.
#include <QObject>
#include <QSet>
#include <QString>
#include <memory>
#include <vector>

#include "edit/edit_journal.h"
#include "edit/edit_session.h"

class QUndoStack;

namespace ws::ui {

class TensorEditCommand;

// Views read tensors on worker threads (inspect/latest_job.h). An edit may replace a tensor's
// storage and writes its bytes, so it must not overlap such a read: every edit, undo and redo
// first waits for the readers to finish (they are short, or cancelled by a newer selection).
// Long reads of a whole model hold a ModelRead (edit/model_reads.h) and make edits of that model
// refused rather than waited for; they run on the same pool, so this wait covers them too.
void waitForViewReaders();

class ModelEditor : public QObject {
    Q_OBJECT
  public:
    // sourcePath: the file the model was opened from (where Save writes by default).
    ModelEditor(std::shared_ptr<Model> model, const QString& sourcePath, QObject* parent = nullptr);
    ~ModelEditor() override;  // removes the journal: unsaved edits were discarded

    EditSession& session() { return session_; }
    const std::shared_ptr<Model>& model() const { return session_.modelPtr(); }
    QUndoStack* undoStack() const { return stack_; }
    bool isModified() const;
    QString filePath() const { return filePath_; }

    // Applies the edits as one undo step named `label` (the core's summary when empty and there
    // is one edit). All or nothing: returns the reason when one is refused, and the model is
    // then unchanged; "" on success.
    QString apply(const std::vector<Edit>& edits, const QString& label = {});

    // Why the model cannot be edited (or undone/redone) now: the long reads holding it
    // (edit/model_reads.h). Empty when it can.
    QString editBlockedBecause() const;

    // Saves through the core's atomic, lossless saver; "" on success (the state becomes the
    // clean one and `path` the file Save writes to), else the reason.
    QString save(const QString& path);

    // Element regions edited since the last save (or open), per tensor path; for highlighting.
    std::vector<Region> unsavedRegions(const std::string& tensorPath) const;
    QSet<QString> unsavedTensors() const;

    // Replays a leftover journal into this (freshly opened, unedited) model; "" on success.
    // The restored edits are unsaved; the old journal file is left to the caller.
    QString restore(const JournalState& journal);
    QString journalFile() const;

  Q_SIGNALS:
    void tensorsChanged(const QSet<QString>& paths);  // after an edit, undo or redo
    void modifiedChanged(bool modified);
    void readsChanged();  // a long read of the model started or ended: see editBlockedBecause()
    // An undo or redo failed partway: the history was cleared (the model keeps its values and
    // stays modified) and the journal dropped. `why` is for the user.
    void historyLost(const QString& why);

  private:
    void onStackIndexChanged(int index);
    void ensureJournal();
    void dropJournal();
    TensorEditCommand* newCommand(std::shared_ptr<const JournalEntry> entry);
    void notify(const JournalEntry& entry, const std::string& failure);
    void dropHistory(const QString& why);
    std::vector<const JournalEntry*> unsavedEntries() const;

    EditSession session_;
    QUndoStack* stack_ = nullptr;
    QString filePath_;
    std::unique_ptr<EditJournal> journal_;
    bool journalBroken_ = false;  // reported once; editing goes on without a journal
    bool replaying_ = false;
};

}  // namespace ws::ui
