// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/tensor_edit_command.h"

#include <QString>
#include <exception>
#include <stdexcept>

#include "edit/model_editor.h"

namespace ws::ui {

TensorEditCommand::TensorEditCommand(EditSession& session,
                                     std::shared_ptr<const JournalEntry> entry, Done done)
    : session_(session), entry_(std::move(entry)), done_(std::move(done)) {
    setText(QString::fromStdString(entry_->summary));
}

void TensorEditCommand::undo() { run(false); }

void TensorEditCommand::redo() {
    if (applied_) return;  // push(): the edit is already in the model
    run(true);
}

void TensorEditCommand::run(bool forward) {
    // QUndoStack calls this from Undo/Redo actions: nothing may escape into Qt.
    std::string failure;
    try {
        waitForViewReaders();
        for (std::size_t i = 0; i < entry_->parts.size(); ++i) {
            if (forward ? !session_.canRedo() : !session_.canUndo())
                throw std::runtime_error("the edit history is out of step");
            forward ? session_.redo() : session_.undo();
        }
    } catch (const std::exception& e) {
        failure = e.what();
    } catch (...) {
        failure = "unknown error";
    }
    applied_ = forward;
    done_(*entry_, failure);
}

}  // namespace ws::ui
