// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which elements of a tensor an edit touches, written as NumPy indexes them: one entry per
// axis, each an index (`3`, `-1`) or a slice (`:`, `2:5`, `:-1`, `::2`), `...` for "all the
// axes in between"; missing trailing axes are whole. Parsing needs no tensor; resolve() checks
// the text against a shape and refuses what is outside it, naming the tensor and its shape
// (slices are not clamped silently as NumPy would: an editor should say when a range is wrong).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ws {

struct AxisSelector {
    enum class Kind { Index, Slice, Ellipsis } kind = Kind::Slice;
    std::int64_t index = 0;             // Index
    std::optional<std::int64_t> start;  // Slice
    std::optional<std::int64_t> stop;   // Slice
    std::int64_t step = 1;              // Slice (positive)
};

struct RegionSpec {
    std::vector<AxisSelector> axes;  // empty: the whole tensor
    std::string text;                // as written, for messages ("" = whole tensor)
};

// A resolved box: for each axis of the tensor the first index, the count and the step.
struct Region {
    std::vector<std::int64_t> start, count, step;
    std::int64_t numel() const;
    std::string describe() const;  // "[0:3, 2]" style
};

// Parses the text between the brackets ("0, 1:3, ..."). Throws FormatError on bad syntax.
RegionSpec parseRegion(const std::string& text);

// Throws FormatError("tensor '<path>' of shape (3, 4): ...") when the spec does not fit.
Region resolveRegion(const RegionSpec& spec, const std::vector<std::int64_t>& shape,
                     const std::string& path);

// One "PATH[region]=VALUE" (or "PATH=VALUE", "PATH[region]" when allowValueless) from the
// command line. The region is the last bracket group ending the left-hand side; the value is
// everything after the "=" that follows it (file names may hold "=").
struct Assignment {
    std::string path;
    RegionSpec region;
    bool hasValue = false;
    std::string value;
};
Assignment parseAssignment(const std::string& text, bool allowValueless);

}  // namespace ws
