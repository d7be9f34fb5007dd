#include "edit/tensor_edit_command.h"

#include <QString>
#include <QtGlobal>
#include <exception>

#include "edit/model_editor.h"

namespace ws::ui {

TensorEditCommand::TensorEditCommand(EditSession& session, JournalEntry entry,
                                     std::function<void(const JournalEntry&)> changed)
    : session_(session), entry_(std::move(entry)), changed_(std::move(changed)) {
    setText(QString::fromStdString(entry_.summary));
}

void TensorEditCommand::undo() {
    waitForViewReaders();
    try {
        for (std::size_t i = 0; i < entry_.parts.size(); ++i) session_.undo();
    } catch (const std::exception& e) {
        // A Restore of bytes the session itself read cannot be refused; say so if it ever is.
        qWarning("undo of '%s' failed: %s", entry_.summary.c_str(), e.what());
    }
    applied_ = false;
    changed_(entry_);
}

void TensorEditCommand::redo() {
    if (applied_) return;  // push(): the edit is already in the model
    waitForViewReaders();
    try {
        for (std::size_t i = 0; i < entry_.parts.size(); ++i) session_.redo();
    } catch (const std::exception& e) {
        qWarning("redo of '%s' failed: %s", entry_.summary.c_str(), e.what());
    }
    applied_ = true;
    changed_(entry_);
}

}  // namespace ws::ui
