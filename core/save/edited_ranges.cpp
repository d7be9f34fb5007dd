// SPDX-License-Identifier: GPL-3.0-or-later
#include "save/edited_ranges.h"

#include <algorithm>
#include <string>

#include "model/error.h"

namespace ws {

namespace {
constexpr std::uint64_t kCopyChunk = 8u << 20;
}

std::vector<EditedRange> editedRanges(const Model& model) {
    std::vector<EditedRange> out;
    for (const EditableStorage* s : editedStorages(model)) {
        const SourceLocation loc = locateSource(*s->original());
        if (!model.source || loc.root != model.source.get())
            throw FormatError(
                "an edited storage does not lie in the opened file as plain bytes (a "
                "compressed record?), so it cannot be written back in place");
        out.push_back({loc.offset, s});
    }
    std::sort(out.begin(), out.end(),
              [](const EditedRange& a, const EditedRange& b) { return a.offset < b.offset; });
    for (std::size_t i = 1; i < out.size(); ++i)
        if (out[i - 1].offset + out[i - 1].storage->size() > out[i].offset)
            throw FormatError("two edited storages overlap in the file (offsets " +
                              std::to_string(out[i - 1].offset) + " and " +
                              std::to_string(out[i].offset) + ")");
    return out;
}

void copySourceRange(const ByteSource& source, std::uint64_t begin, std::uint64_t end,
                     const std::function<void(const void*, std::size_t)>& sink) {
    if (const std::uint8_t* base = source.data()) {
        // Mapped: hand out windows of the mapping, no copy.
        for (std::uint64_t at = begin; at < end; at += kCopyChunk)
            sink(base + at, std::size_t(std::min(kCopyChunk, end - at)));
        return;
    }
    std::vector<std::uint8_t> buffer;
    for (std::uint64_t at = begin; at < end; at += kCopyChunk) {
        buffer.resize(std::size_t(std::min(kCopyChunk, end - at)));
        source.read(at, buffer.data(), buffer.size());
        sink(buffer.data(), buffer.size());
    }
}

}  // namespace ws
