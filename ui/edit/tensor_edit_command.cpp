// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/tensor_edit_command.h"

namespace ws::ui {

TensorEditCommand::TensorEditCommand(std::size_t step, const QString& text, GoTo goTo)
    : step_(step), goTo_(std::move(goTo)) {
    setText(text);
}

void TensorEditCommand::redo() {
    if (pushed_) {  // push(): the session made the step already
        pushed_ = false;
        return;
    }
    goTo_(step_ + 1);
}

}  // namespace ws::ui
