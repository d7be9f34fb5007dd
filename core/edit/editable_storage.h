// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Copy-on-write for tensor storages. Readers give tensors read-only windows into the mapped
// file; the first edit of a storage replaces it, for every tensor viewing it, by an in-memory
// copy that edits write into. Savers find the edited storages by this type and ask original()
// where the bytes came from.
//
// Snapshots: a view reading on a worker thread takes readSnapshot() of its tensor on the GUI
// thread. An edited storage hands out its current buffer, shared; the next edit that finds the
// buffer shared copies it first (copy-on-write), so an edit never waits for a reader and a
// reader never sees a half-written edit.
#include <cstdint>
#include <vector>

#include "io/byte_source.h"
#include "model/model.h"

namespace ws {

class EditableStorage : public ByteSource {
  public:
    // Copies all bytes of `original` (reads them once).
    explicit EditableStorage(ByteSourcePtr original);

    std::uint64_t size() const override { return bytes_->size(); }
    void read(std::uint64_t offset, void* dst, std::size_t n) const override;
    const std::uint8_t* data() const override { return bytes_->data(); }

    // The bytes to write an edit into: copied first when a snapshot still shares them (may
    // throw std::bad_alloc, before anything changed). Only the thread that edits calls this.
    std::uint8_t* mutableData();
    // The bytes as they are now, unchanged by later edits. Called by the editing thread.
    ByteSourcePtr snapshot() const;
    // The read-only source this copy replaced (a window into the opened file, usually).
    const ByteSourcePtr& original() const { return original_; }

  private:
    ByteSourcePtr original_;
    std::shared_ptr<std::vector<std::uint8_t>> bytes_;
};

// A copy of the tensor (its metadata) whose storage does not change when the model is edited
// later: what a view hands to a worker thread. Cheap: unedited storages are immutable and are
// shared; edited ones share their current buffer until the next edit (copy-on-write).
TensorPtr readSnapshot(const TensorPtr& tensor);

// Where a source's bytes start in the outermost source it is a window of (SubByteSource chains
// are followed). `root` is that outermost source.
struct SourceLocation {
    const ByteSource* root = nullptr;
    std::uint64_t offset = 0;
};
SourceLocation locateSource(const ByteSource& source);

// The editable storage behind `tensor`, made on first use. Every tensor of `model` that views
// the same storage is repointed to it, so all views see the edit as they would in torch.
// "Same storage" means the same ByteSource object, or a window of the same bytes of the same
// file (same root, offset and size); two in-memory storages count as the same when their
// storageKey and size agree. (A storageKey alone is not enough: TorchScript archives reuse
// keys under constants/ for other storages.)
EditableStorage& editableStorage(Model& model, Tensor& tensor);

// The distinct edited storages of the model, in tree order.
std::vector<const EditableStorage*> editedStorages(const Model& model);

}  // namespace ws
