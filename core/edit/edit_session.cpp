// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/edit_session.h"

#include <cstddef>
#include <utility>

#include "model/error.h"

namespace ws {

EditSession::EditSession(std::shared_ptr<Model> model) : model_(std::move(model)) {
    if (!model_) throw FormatError("edit session without a model");
}

const EditResult& EditSession::apply(const Edit& edit) {
    EditResult result = applyEdit(*model_, edit);
    done_.push_back(std::move(result));
    undone_.clear();
    if (savedDepth_ > done_.size() - 1) savedDepth_ = std::size_t(-1);  // saved state is gone
    return done_.back();
}

std::vector<EditResult> EditSession::applyAll(const std::vector<Edit>& edits) {
    // The redo list and saved depth that apply() drops are kept until all edits went in, so a
    // refusal partway leaves nothing to tell apart from before (a crash journal written from
    // the history stays true).
    std::vector<EditResult> undoneBefore = std::move(undone_);
    undone_.clear();
    const std::size_t savedBefore = savedDepth_;
    const std::size_t depthBefore = done_.size();
    try {
        for (const Edit& e : edits) apply(e);
    } catch (...) {
        while (done_.size() > depthBefore) {
            applyEdit(*model_, done_.back().inverse);
            done_.pop_back();
        }
        undone_ = std::move(undoneBefore);
        savedDepth_ = savedBefore;
        throw;
    }
    // The `after` bytes move to the caller (who keeps the step: the GUI's undo command); the
    // history never reads them (undo applies `inverse`), so they are held once, not twice.
    std::vector<EditResult> out;
    for (auto r = done_.begin() + std::ptrdiff_t(depthBefore); r != done_.end(); ++r) {
        out.push_back({r->inverse, r->summary, r->elements, r->box, std::move(r->after)});
        r->after = {};
    }
    return out;
}

std::string EditSession::undo() {
    if (done_.empty()) return {};
    // Undoing writes the old bytes back; its own inverse is the redo. The history changes
    // only once that succeeded.
    EditResult back = applyEdit(*model_, done_.back().inverse);
    back.after = {};  // a copy of the region the history does not need (see applyAll)
    back.summary = std::move(done_.back().summary);
    done_.pop_back();
    undone_.push_back(std::move(back));
    return undone_.back().summary;
}

std::string EditSession::redo() {
    if (undone_.empty()) return {};
    EditResult again = applyEdit(*model_, undone_.back().inverse);
    again.after = {};
    again.summary = std::move(undone_.back().summary);
    undone_.pop_back();
    done_.push_back(std::move(again));
    return done_.back().summary;
}

std::vector<std::string> EditSession::history() const {
    std::vector<std::string> out;
    for (const EditResult& r : done_) out.push_back(r.summary);
    return out;
}

}  // namespace ws
