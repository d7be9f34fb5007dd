// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The edit operations on tensor values. Each one is a plain description (Edit) that
// applyEdit() carries out on a model; it returns the edit that undoes it (a Restore of the
// previous bytes, exact for every dtype), so undo and redo are both just applyEdit().
//
// Every edit is all-or-nothing: values are checked against the dtype and the region against
// the shape before any byte changes, and a refused edit leaves the tensor as it was.
#include <cstdint>
#include <string>
#include <vector>

#include "edit/paste_source.h"
#include "edit/region.h"
#include "edit/scalar.h"
#include "model/model.h"

namespace ws {

struct Edit {
    enum class Kind {
        Set,      // every element of the region becomes `value` (fill, zero, one element)
        Scale,    // every element of the region is multiplied by `value`
        Add,      // `value` is added to every element of the region
        Paste,    // `block` is written with its top-left at the index `region` names
        Restore,  // `bytes` (the region's elements in C order, raw) are written back to `box`
    };
    Kind kind = Kind::Set;
    std::string path;   // Node::path of a tensor
    RegionSpec region;  // Set/Scale/Add: the elements; Paste: the anchor index
    Scalar value;
    PasteBlock block;
    Region box;                       // Restore only
    std::vector<std::uint8_t> bytes;  // Restore only

    static Edit set(std::string path, RegionSpec region, Scalar value);
    static Edit scale(std::string path, RegionSpec region, Scalar factor);
    static Edit add(std::string path, RegionSpec region, Scalar value);
    static Edit paste(std::string path, RegionSpec anchor, PasteBlock block);
};

struct EditResult {
    Edit inverse;               // applying it undoes the edit
    std::string summary;        // "set fc.bias[3] = 0.5 (1 element, f32)"
    std::int64_t elements = 0;  // elements written
    Region box;                 // where
    // The region's bytes after the edit (C order, raw): what a redo or a journal replay writes.
    std::vector<std::uint8_t> after;
};

// Applies `edit` to the tensor at edit.path. Throws FormatError naming the tensor when the path
// is not a tensor, the region does not fit its shape, or a value does not fit its dtype; the
// model is then unchanged.
EditResult applyEdit(Model& model, const Edit& edit);

// "set", "scale", "add", "paste", "restore".
const char* editKindName(Edit::Kind kind);

}  // namespace ws
