#pragma once
// One step of the undo stack: one or more edits applied together through the model's
// EditSession (a bulk operation on a multi-range selection is one step). The command keeps no
// bytes of its own: undo and redo are the session's, so the edit logic exists once, in core.
#include <QUndoCommand>
#include <functional>

#include "edit/edit_journal.h"
#include "edit/edit_session.h"

namespace ws::ui {

class TensorEditCommand : public QUndoCommand {
  public:
    // `entry` describes the edits already applied to `session` (its parts, in order); the
    // first redo() that QUndoStack::push() makes is therefore skipped. `changed` is called with
    // the edited tensor paths after every undo and redo.
    TensorEditCommand(EditSession& session, JournalEntry entry,
                      std::function<void(const JournalEntry&)> changed);

    void undo() override;
    void redo() override;
    const JournalEntry& entry() const { return entry_; }

  private:
    EditSession& session_;
    JournalEntry entry_;
    std::function<void(const JournalEntry&)> changed_;
    bool applied_ = true;
};

}  // namespace ws::ui
