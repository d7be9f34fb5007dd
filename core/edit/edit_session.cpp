// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/edit_session.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "model/error.h"

namespace ws {

Edit restoreEdit(const EditPart& part, bool after) {
    Edit e;
    e.kind = Edit::Kind::Restore;
    e.path = part.path;
    e.box = part.box;
    e.bytes = after ? part.after : part.before;
    return e;
}

EditSession::EditSession(std::shared_ptr<Model> model) : model_(std::move(model)) {
    if (!model_) throw FormatError("edit session without a model");
}

namespace {

// Applies the edits in order; when one is refused, takes the ones made back (their regions were
// just written, so writing them again cannot be refused) and rethrows.
std::vector<EditResult> applyInOrder(Model& model, const std::vector<Edit>& edits) {
    std::vector<EditResult> done;
    try {
        for (const Edit& e : edits) done.push_back(applyEdit(model, e));
    } catch (...) {
        for (auto r = done.rbegin(); r != done.rend(); ++r) applyEdit(model, r->inverse);
        throw;
    }
    return done;
}

}  // namespace

const EditResult& EditSession::apply(const Edit& edit) {
    lastResults_ = applyAll({edit});
    return lastResults_.front();
}

std::vector<EditResult> EditSession::applyAll(const std::vector<Edit>& edits, std::string summary) {
    if (edits.empty()) throw FormatError("nothing to edit");
    std::vector<EditResult> results = applyInOrder(*model_, edits);
    if (summary.empty())
        summary = results.size() == 1 ? results.front().summary
                                      : std::to_string(results.size()) + " edits";
    EditStep step;
    step.summary = std::move(summary);
    for (EditResult& r : results)
        step.parts.push_back(
            {r.inverse.path, r.box, std::move(r.inverse.bytes), std::move(r.after)});
    pushStep(std::move(step));
    return results;
}

void EditSession::replayStep(const EditStep& step) {
    std::vector<Edit> writes;
    for (const EditPart& p : step.parts) writes.push_back(restoreEdit(p, true));
    const std::vector<EditResult> done = applyInOrder(*model_, writes);
    // What the regions held must be the journal's "before" bytes: else the file is not the
    // one the edits were made to (whatever its size and time say).
    for (std::size_t i = 0; i < done.size(); ++i)
        if (done[i].inverse.bytes != step.parts[i].before) {
            for (std::size_t j = done.size(); j-- > 0;) applyEdit(*model_, done[j].inverse);
            throw FormatError("tensor '" + step.parts[i].path +
                              "' does not hold the values the edit \"" + step.summary +
                              "\" started from: the file is not the one it was made to");
        }
    pushStep(step);
}

void EditSession::pushStep(EditStep step) {
    const std::size_t from = version_;
    steps_.resize(version_);
    if (saved_ != kNoVersion && saved_ > version_) saved_ = kNoVersion;  // its steps are gone
    std::set<std::string> tensors;
    for (const EditPart& p : step.parts) tensors.insert(p.path);
    steps_.push_back(std::move(step));
    version_ = steps_.size();
    notify(SessionChange::Kind::Pushed, from, std::move(tensors));
}

void EditSession::writeStep(const EditStep& step, bool forward) {
    std::vector<Edit> writes;
    if (forward)
        for (const EditPart& p : step.parts) writes.push_back(restoreEdit(p, true));
    else
        for (auto p = step.parts.rbegin(); p != step.parts.rend(); ++p)
            writes.push_back(restoreEdit(*p, false));
    applyInOrder(*model_, writes);
}

void EditSession::revertTo(std::size_t v) {
    if (v > steps_.size())
        throw FormatError("version " + std::to_string(v) + " does not exist (the last is " +
                          std::to_string(steps_.size()) + ")");
    const std::size_t from = version_;
    try {
        while (version_ > v) writeStep(steps_[--version_], false);
        while (version_ < v) writeStep(steps_[version_++], true);
    } catch (...) {
        // The step that failed wrote nothing (applyInOrder); the ones before it go back.
        const std::size_t failed = version_;
        if (failed < from) {  // was going back: step `failed` not taken back
            for (std::size_t i = failed + 1; i < from; ++i) writeStep(steps_[i], true);
        } else {  // was going forward: step `failed - 1` not written
            for (std::size_t i = failed - 1; i-- > from;) writeStep(steps_[i], false);
        }
        version_ = from;
        throw;
    }
    if (v != from) notify(SessionChange::Kind::Moved, from, tensorsBetween(from, v));
}

std::string EditSession::undo() {
    if (!canUndo()) return {};
    revertTo(version_ - 1);
    return steps_[version_].summary;
}

std::string EditSession::redo() {
    if (!canRedo()) return {};
    revertTo(version_ + 1);
    return steps_[version_ - 1].summary;
}

std::vector<std::string> EditSession::history() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < version_; ++i) out.push_back(steps_[i].summary);
    return out;
}

void EditSession::markSaved() {
    const std::size_t before = saved_;
    saved_ = version_;
    // The regions that were unsaved are not any more: their marks go.
    std::set<std::string> tensors =
        before == kNoVersion ? tensorsBetween(0, steps_.size()) : tensorsBetween(before, version_);
    notify(SessionChange::Kind::Saved, version_, std::move(tensors));
}

std::vector<const EditStep*> EditSession::unsavedSteps() const {
    std::size_t from = 0, to = version_;
    if (saved_ != kNoVersion) {
        from = std::min(saved_, version_);
        to = std::max(saved_, version_);
    } else {
        to = steps_.size();  // nothing is known to be on disk: every step may differ
    }
    std::vector<const EditStep*> out;
    for (std::size_t i = from; i < to; ++i) out.push_back(&steps_[i]);
    return out;
}

std::set<std::string> EditSession::tensorsBetween(std::size_t a, std::size_t b) const {
    std::set<std::string> out;
    for (std::size_t i = std::min(a, b); i < std::max(a, b) && i < steps_.size(); ++i)
        for (const EditPart& p : steps_[i].parts) out.insert(p.path);
    return out;
}

int EditSession::observe(Observer observer) {
    observers_.emplace_back(++nextObserver_, std::move(observer));
    return nextObserver_;
}

void EditSession::unobserve(int id) {
    observers_.erase(std::remove_if(observers_.begin(), observers_.end(),
                                    [id](const auto& o) { return o.first == id; }),
                     observers_.end());
}

void EditSession::notify(SessionChange::Kind kind, std::size_t from,
                         std::set<std::string> tensors) {
    SessionChange change;
    change.kind = kind;
    change.from = from;
    change.version = version_;
    change.tensors = std::move(tensors);
    const auto observers = observers_;  // an observer may unobserve
    for (const auto& o : observers) o.second(change);
}

}  // namespace ws
