// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One entry of the undo stack: it shows one step of the model's EditSession (the one history)
// and moves the session there. Undo of step n goes to version n - 1, redo to version n; the
// step's bytes and logic stay in core.
#include <QUndoCommand>
#include <cstddef>
#include <functional>

namespace ws::ui {

class TensorEditCommand : public QUndoCommand {
  public:
    // goTo(version) moves the session; the command is pushed for a step the session already
    // applied, so the first redo() that QUndoStack::push() makes does nothing.
    using GoTo = std::function<void(std::size_t version)>;
    TensorEditCommand(std::size_t step, const QString& text, GoTo goTo);

    void undo() override { goTo_(step_); }
    void redo() override;

  private:
    std::size_t step_;  // 0-based: the command stands for versions step_ -> step_ + 1
    GoTo goTo_;
    bool pushed_ = true;
};

}  // namespace ws::ui
