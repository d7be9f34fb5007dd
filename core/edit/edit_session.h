// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An open model plus the one history of its edits. The history is a list of steps (one user
// action each: one or several edits applied together) and numbered versions: version 0 is the
// model as opened, version n the model after the first n steps. The session is at one version;
// revertTo(n) moves there (undo and redo are revertTo(version -+ 1)); applying a step at version
// n drops the steps after n. One version may be the saved one (what the file holds).
//
// Whoever shows or records the history (the GUI's undo stack and history panel, the crash
// journal) observes the session's changes instead of keeping a history of its own.
//
// Each step keeps the raw bytes of every region it wrote, before and after, so moving between
// versions writes bytes back exactly for every dtype and needs no arithmetic. Savers need no
// session: they find edited storages in the model (edit/editable_storage.h).
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "edit/edit_ops.h"
#include "model/model.h"

namespace ws {

// One region of one tensor, as raw element bytes in C order, before and after the edit.
struct EditPart {
    std::string path;
    Region box;
    std::vector<std::uint8_t> before, after;
};
// One step of the history: its parts are written in order (and taken back in reverse).
struct EditStep {
    std::string summary;
    std::vector<EditPart> parts;
};
// The edit that writes part.after (forward) or part.before (back).
Edit restoreEdit(const EditPart& part, bool after);

struct SessionChange {
    enum class Kind {
        Pushed,  // a step was added at the end (the steps after the old version were dropped)
        Moved,   // the session went to another version (undo, redo, revertTo)
        Saved,   // the current version became the saved one
    };
    Kind kind = Kind::Pushed;
    std::size_t from = 0;           // the version before the change
    std::size_t version = 0;        // the version after it
    std::set<std::string> tensors;  // paths of tensors whose values changed
};

class EditSession {
  public:
    static constexpr std::size_t kNoVersion = std::size_t(-1);
    using Observer = std::function<void(const SessionChange&)>;

    explicit EditSession(std::shared_ptr<Model> model);

    Model& model() { return *model_; }
    const std::shared_ptr<Model>& modelPtr() const { return model_; }

    // Applies the edit as one step. Throws FormatError, leaving the model and the history
    // unchanged, when the edit is refused.
    const EditResult& apply(const Edit& edit);
    // Applies the edits in order as one step named `summary` (the edit's own summary when
    // empty and there is one edit, else "N edits"), all or nothing: when one is refused the
    // ones already made are taken back, the history (redo steps, saved version) stays as it
    // was, and that refusal's FormatError is thrown. Returns one result per edit; their bytes
    // are moved into the step (the results' inverse.bytes and after are empty).
    std::vector<EditResult> applyAll(const std::vector<Edit>& edits, std::string summary = {});
    // Adds a step written elsewhere (a crash journal): its parts' "before" bytes must be what
    // the model holds, else FormatError naming the tensor, and the model and history are
    // unchanged. Then writes the "after" bytes as apply() would.
    void replayStep(const EditStep& step);

    std::size_t version() const { return version_; }
    std::size_t lastVersion() const { return steps_.size(); }
    const std::vector<EditStep>& steps() const { return steps_; }
    // Moves to version v (0 .. lastVersion()) by taking steps back or writing them again. All
    // or nothing: throws FormatError (a region the tensor no longer has) or std::bad_alloc and
    // leaves the model at the version it was.
    void revertTo(std::size_t v);

    bool canUndo() const { return version_ > 0; }
    bool canRedo() const { return version_ < steps_.size(); }
    // Undo/redo one step; return its summary ("" when there is nothing to undo/redo).
    std::string undo();
    std::string redo();

    // Summaries of the applied steps, oldest first.
    std::vector<std::string> history() const;
    // True when steps are applied (the model differs from the file it was opened from).
    bool modified() const { return version_ > 0; }
    // After a save: the current version is the saved one.
    void markSaved();
    // The version the file holds, kNoVersion when no version of the history is that file
    // (its version's steps were dropped). For a journal replay that knows it.
    std::size_t savedVersion() const { return saved_; }
    void setSavedVersion(std::size_t v) { saved_ = v; }
    bool unsavedChanges() const { return version_ != saved_; }
    // The steps between the saved version and the current one (all applied steps when none is
    // saved): the regions that differ from the file.
    std::vector<const EditStep*> unsavedSteps() const;

    // Called after every change, on the thread that made it. Returns an id for unobserve().
    int observe(Observer observer);
    void unobserve(int id);

  private:
    void writeStep(const EditStep& step, bool forward);
    void notify(SessionChange::Kind kind, std::size_t from, std::set<std::string> tensors);
    std::set<std::string> tensorsBetween(std::size_t a, std::size_t b) const;
    void pushStep(EditStep step);

    std::shared_ptr<Model> model_;
    std::vector<EditStep> steps_;
    std::vector<EditResult> lastResults_;  // what apply() returns a reference into
    std::size_t version_ = 0;
    std::size_t saved_ = 0;
    std::vector<std::pair<int, Observer>> observers_;
    int nextObserver_ = 0;
};

}  // namespace ws
