#include "edit/edit_session.h"

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

std::string EditSession::undo() {
    if (done_.empty()) return {};
    // Undoing writes the old bytes back; its own inverse is the redo. The history changes
    // only once that succeeded.
    EditResult back = applyEdit(*model_, done_.back().inverse);
    back.summary = std::move(done_.back().summary);
    done_.pop_back();
    undone_.push_back(std::move(back));
    return undone_.back().summary;
}

std::string EditSession::redo() {
    if (undone_.empty()) return {};
    EditResult again = applyEdit(*model_, undone_.back().inverse);
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
