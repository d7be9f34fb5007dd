// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/editable_storage.h"

#include <cstring>
#include <string>
#include <unordered_set>

#include "model/error.h"

namespace ws {

namespace {

// An edited storage's buffer as it was when a snapshot was taken.
class SharedBufferSource : public ByteSource {
  public:
    explicit SharedBufferSource(std::shared_ptr<const std::vector<std::uint8_t>> bytes)
        : bytes_(std::move(bytes)) {}
    std::uint64_t size() const override { return bytes_->size(); }
    void read(std::uint64_t offset, void* dst, std::size_t n) const override {
        checkedCopy(*bytes_, offset, dst, n);
    }
    const std::uint8_t* data() const override { return bytes_->data(); }

    static void checkedCopy(const std::vector<std::uint8_t>& bytes, std::uint64_t offset, void* dst,
                            std::size_t n) {
        if (offset > bytes.size() || n > bytes.size() - offset)
            throw FormatError("read of " + std::to_string(n) + " bytes at offset " +
                              std::to_string(offset) +
                              " is beyond the end of the edited storage (" +
                              std::to_string(bytes.size()) + " bytes)");
        if (n) std::memcpy(dst, bytes.data() + offset, n);
    }

  private:
    std::shared_ptr<const std::vector<std::uint8_t>> bytes_;
};

}  // namespace

EditableStorage::EditableStorage(ByteSourcePtr original)
    : original_(std::move(original)),
      bytes_(std::make_shared<std::vector<std::uint8_t>>(original_->readAll())) {}

void EditableStorage::read(std::uint64_t offset, void* dst, std::size_t n) const {
    SharedBufferSource::checkedCopy(*bytes_, offset, dst, n);
}

std::uint8_t* EditableStorage::mutableData() {
    // A count of 1 means no snapshot holds the buffer, and only this (the editing) thread
    // makes new ones, so writing in place is safe; a reader letting go meanwhile only costs
    // a needless copy.
    if (bytes_.use_count() > 1) bytes_ = std::make_shared<std::vector<std::uint8_t>>(*bytes_);
    return bytes_->data();
}

ByteSourcePtr EditableStorage::snapshot() const {
    return std::make_shared<SharedBufferSource>(bytes_);
}

TensorPtr readSnapshot(const TensorPtr& tensor) {
    if (!tensor) return tensor;
    auto copy = std::make_shared<Tensor>(*tensor);
    if (auto* edited = dynamic_cast<const EditableStorage*>(tensor->storage.get()))
        copy->storage = edited->snapshot();
    return copy;
}

SourceLocation locateSource(const ByteSource& source) {
    SourceLocation loc;
    const ByteSource* at = &source;
    // Bounded: a reader never nests windows deeply, and a cycle is impossible with shared_ptr.
    while (const auto* sub = dynamic_cast<const SubByteSource*>(at)) {
        loc.offset += sub->offset();
        at = sub->parent().get();
    }
    loc.root = at;
    return loc;
}

namespace {

bool sameStorage(const Tensor& a, const ByteSource& aSource, const Tensor& b) {
    if (b.storage.get() == &aSource) return true;
    if (!b.storage || b.storage->size() != aSource.size()) return false;
    if (dynamic_cast<const EditableStorage*>(b.storage.get())) return false;
    const bool aWindow = dynamic_cast<const SubByteSource*>(&aSource) != nullptr;
    const bool bWindow = dynamic_cast<const SubByteSource*>(b.storage.get()) != nullptr;
    if (aWindow && bWindow) {
        const SourceLocation la = locateSource(aSource), lb = locateSource(*b.storage);
        return la.root == lb.root && la.offset == lb.offset;
    }
    return !aWindow && !bWindow && !a.storageKey.empty() && a.storageKey == b.storageKey;
}

}  // namespace

EditableStorage& editableStorage(Model& model, Tensor& tensor) {
    if (!tensor.storage) throw FormatError("tensor has no storage");
    if (auto* done = dynamic_cast<const EditableStorage*>(tensor.storage.get()))
        return const_cast<EditableStorage&>(*done);  // made non-const below, by us
    const ByteSourcePtr old = tensor.storage;
    auto copy = std::make_shared<EditableStorage>(old);
    const Tensor reference = tensor;  // a copy: `tensor` itself is repointed in the loop
    model.forEachTensor([&](Node& n) {
        if (n.tensor && sameStorage(reference, *old, *n.tensor)) n.tensor->storage = copy;
    });
    tensor.storage = copy;  // also when the tensor is not (yet) in the tree
    return *copy;
}

std::vector<const EditableStorage*> editedStorages(const Model& model) {
    std::vector<const EditableStorage*> out;
    std::unordered_set<const EditableStorage*> seen;
    model.forEachTensor([&](Node& n) {
        if (!n.tensor) return;
        auto* e = dynamic_cast<const EditableStorage*>(n.tensor->storage.get());
        if (e && seen.insert(e).second) out.push_back(e);
    });
    return out;
}

}  // namespace ws
