// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An open model plus the list of edits made to it, with undo and redo. The model itself only
// changes through applyEdit(); the session remembers, for each applied edit, its summary and
// the Restore edit that undoes it. Savers need no session: they find edited storages in the
// model (edit/editable_storage.h).
#include <memory>
#include <string>
#include <vector>

#include "edit/edit_ops.h"
#include "model/model.h"

namespace ws {

class EditSession {
  public:
    explicit EditSession(std::shared_ptr<Model> model);

    Model& model() { return *model_; }
    const std::shared_ptr<Model>& modelPtr() const { return model_; }

    // Applies the edit and records it (clears the redo list). Throws FormatError, leaving the
    // model and the history unchanged, when the edit is refused.
    const EditResult& apply(const Edit& edit);
    // Applies the edits in order, all or nothing: when one is refused the ones already made
    // are taken back and the history, redo list included, is as before; then throws that
    // refusal's FormatError. Returns the results (one undo step for a caller grouping them);
    // their `after` bytes are moved out of the history, which never needs them.
    std::vector<EditResult> applyAll(const std::vector<Edit>& edits);

    bool canUndo() const { return !done_.empty(); }
    bool canRedo() const { return !undone_.empty(); }
    // Undo/redo the last edit; return its summary ("" when there is nothing to undo/redo).
    std::string undo();
    std::string redo();

    // Summaries of the applied edits, oldest first.
    std::vector<std::string> history() const;
    // True when edits are applied that are not undone (the file on disk differs).
    bool modified() const { return !done_.empty(); }
    // After a save: the current state is the saved one.
    void markSaved() { savedDepth_ = done_.size(); }
    bool unsavedChanges() const { return done_.size() != savedDepth_; }
    // Forgets every undo and redo step, keeping the model as it is (unsaved): for a caller whose
    // own record of the history can no longer be trusted.
    void clearHistory() {
        done_.clear();
        undone_.clear();
        savedDepth_ = std::size_t(-1);
    }

  private:
    std::shared_ptr<Model> model_;
    std::vector<EditResult> done_;    // inverse = how to undo
    std::vector<EditResult> undone_;  // inverse = how to redo
    std::size_t savedDepth_ = 0;
};

}  // namespace ws
