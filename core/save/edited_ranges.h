// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The edited storages of a model located in the file it was opened from.
#include <cstdint>
#include <functional>
#include <vector>

#include "edit/editable_storage.h"
#include "model/model.h"

namespace ws {

struct EditedRange {
    std::uint64_t offset = 0;  // in the opened file
    const EditableStorage* storage = nullptr;
};

// Sorted by offset. Throws FormatError when an edited storage is not a window of
// model.source (a compressed zip record, a model built in memory) or two of them overlap.
std::vector<EditedRange> editedRanges(const Model& model);

// Writes source[begin, end) to out through `sink`, in bounded pieces.
void copySourceRange(const ByteSource& source, std::uint64_t begin, std::uint64_t end,
                     const std::function<void(const void*, std::size_t)>& sink);

}  // namespace ws
