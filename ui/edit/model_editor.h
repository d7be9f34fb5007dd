// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The mutable side of an open model in the GUI: the core EditSession (the one history of the
// model's edits), the QUndoStack that shows it (Undo/Redo, the history panel), the crash journal
// that follows it, and saving. Views observe tensorsChanged() to re-read what an edit, undo or
// redo touched; they read snapshots (edit/editable_storage.h: readSnapshot), so an edit never
// waits for them.
#include <QObject>
#include <QSet>
#include <QString>
#include <memory>
#include <vector>

#include "edit/edit_journal.h"
#include "edit/edit_session.h"

class QUndoStack;

namespace ws::ui {

class ModelEditor : public QObject {
    Q_OBJECT
  public:
    // sourcePath: the file the model was opened from (where Save writes by default).
    ModelEditor(std::shared_ptr<Model> model, const QString& sourcePath, QObject* parent = nullptr);
    ~ModelEditor() override;  // removes the journal: unsaved edits were discarded

    EditSession& session() { return session_; }
    const std::shared_ptr<Model>& model() const { return session_.modelPtr(); }
    QUndoStack* undoStack() const { return stack_; }
    bool isModified() const { return session_.unsavedChanges(); }
    QString filePath() const { return filePath_; }
    // Changes at every edit, undo, redo and save: for caches of what the history says.
    quint64 historyRevision() const { return revision_; }

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

    // Replays a leftover journal into this (freshly opened, unedited) model, checking first that
    // the file holds the bytes the journal expects (edit/journal_replay.h); "" on success, else
    // the reason (the model may then be partly written: reopen it). The history, version and
    // saved version come back as they were; the old journal file is left to the caller.
    QString restore(const JournalState& journal);
    QString journalFile() const;

  Q_SIGNALS:
    void tensorsChanged(const QSet<QString>& paths);  // after an edit, undo or redo
    void modifiedChanged(bool modified);
    void readsChanged();  // a long read of the model started or ended: see editBlockedBecause()
    // An undo or redo was refused (the model, its history and the journal are as they were);
    // `why` is for the user.
    void undoRefused(const QString& why);

  private:
    void onSessionChanged(const SessionChange& change);
    void goTo(std::size_t version);
    void showSessionVersion();
    void followInJournal(const SessionChange& change);
    void ensureJournal();
    void dropJournal();

    EditSession session_;
    int observer_ = 0;
    QUndoStack* stack_ = nullptr;
    QString filePath_;
    std::unique_ptr<EditJournal> journal_;
    bool journalBroken_ = false;  // reported once; editing goes on without a journal
    bool replaying_ = false;      // restore(): the journal being replayed is not written
    bool stackMoving_ = false;    // the stack is calling its commands: it knows its index
    bool showing_ = false;        // the stack is being made to show the session: no moves
    bool wasModified_ = false;
    quint64 revision_ = 0;
};

}  // namespace ws::ui
