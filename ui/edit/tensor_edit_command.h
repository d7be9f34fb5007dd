// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One step of the undo stack: one or more edits applied together through the model's
// EditSession (a bulk operation on a multi-range selection is one step). Undo and redo are the
// session's, so the edit logic exists once, in core. The step's description (summary, regions
// and their bytes, which the crash journal is rewritten from) is shared with whoever made it,
// not copied.
#include <QUndoCommand>
#include <functional>
#include <memory>
#include <string>

#include "edit/edit_journal.h"
#include "edit/edit_session.h"

namespace ws::ui {

class TensorEditCommand : public QUndoCommand {
  public:
    // Called after every undo and redo with the step and, when the session refused it, the
    // reason (the model may then be partly undone: the caller must give up the history).
    using Done = std::function<void(const JournalEntry& entry, const std::string& failure)>;

    // `entry` describes the edits already applied to `session` (its parts, in order); the
    // first redo() that QUndoStack::push() makes is therefore skipped.
    TensorEditCommand(EditSession& session, std::shared_ptr<const JournalEntry> entry, Done done);

    void undo() override;
    void redo() override;
    const JournalEntry& entry() const { return *entry_; }

  private:
    void run(bool forward);

    EditSession& session_;
    std::shared_ptr<const JournalEntry> entry_;
    Done done_;
    bool applied_ = true;
};

}  // namespace ws::ui
