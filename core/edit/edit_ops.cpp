// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/edit_ops.h"

#include <cstring>

#include "edit/editable_storage.h"
#include "edit/element_codec.h"
#include "model/error.h"

namespace ws {

namespace {

std::string where(const std::string& path, const Tensor& t) {
    return "tensor '" + path + "' of shape " + shapeToString(t.shape) + " (" + dtypeName(t.dtype) +
           ")";
}

Tensor& tensorAt(Model& model, const std::string& path) {
    Node* node = model.find(path);
    if (!node) throw FormatError("no tensor at path '" + path + "'");
    if (node->kind != NodeKind::Tensor || !node->tensor)
        throw FormatError("'" + path + "' is a " + nodeKindName(node->kind) +
                          ", not a tensor: only tensor values can be edited");
    node->tensor->validate();
    return *node->tensor;
}

// Storage element index of every element of `box`, in C order.
std::vector<std::int64_t> elementOffsets(const Tensor& t, const Region& box) {
    const std::vector<std::int64_t> strides = t.effectiveStrides();
    const std::size_t rank = box.start.size();
    std::vector<std::int64_t> out;
    out.reserve(std::size_t(box.numel()));
    std::vector<std::int64_t> k(rank, 0);
    std::int64_t base = t.storageOffset;
    for (std::size_t d = 0; d < rank; ++d) base += box.start[d] * strides[d];
    const std::int64_t n = box.numel();
    std::int64_t at = base;
    for (std::int64_t i = 0; i < n; ++i) {
        out.push_back(at);
        for (std::size_t d = rank; d-- > 0;) {
            if (++k[d] < box.count[d]) {
                at += box.step[d] * strides[d];
                break;
            }
            at -= (box.count[d] - 1) * box.step[d] * strides[d];
            k[d] = 0;
        }
    }
    return out;
}

// The anchor of a paste: an index on every axis (missing axes are 0); the block covers the
// last two axes (rows, columns), or the only axis of a vector.
Region pasteBox(const Edit& e, const Tensor& t) {
    const std::vector<std::int64_t>& shape = t.shape;
    for (const AxisSelector& a : e.region.axes)
        if (a.kind != AxisSelector::Kind::Index)
            throw FormatError("paste into " + where(e.path, t) +
                              ": give the top-left element as plain indices, e.g. [" +
                              std::string(shape.size() >= 2 ? "r, c" : "i") + "], not [" +
                              e.region.text + "]");
    RegionSpec anchor = e.region;
    while (anchor.axes.size() < shape.size()) {
        AxisSelector zero;
        zero.kind = AxisSelector::Kind::Index;
        anchor.axes.push_back(zero);
    }
    Region box = resolveRegion(anchor, shape, e.path);
    const std::int64_t rows = e.block.rows, cols = e.block.cols;
    const std::string blockText = std::to_string(rows) + " x " + std::to_string(cols);
    if (shape.empty()) {
        if (rows * cols != 1)
            throw FormatError("cannot paste " + blockText + " values into scalar " +
                              where(e.path, t));
        return box;
    }
    std::size_t rowAxis = shape.size() >= 2 ? shape.size() - 2 : 0;
    std::size_t colAxis = shape.size() - 1;
    if (shape.size() == 1) {
        if (rows != 1 && cols != 1)
            throw FormatError("cannot paste a " + blockText + " block into 1-D " +
                              where(e.path, t) + ": give one row or one column");
        box.count[0] = rows * cols;
    } else {
        box.count[rowAxis] = rows;
        box.count[colAxis] = cols;
    }
    for (std::size_t d = 0; d < shape.size(); ++d)
        if (box.start[d] + box.count[d] > shape[d])
            throw FormatError(
                "a " + blockText + " block at [" + e.region.text + "] does not fit in " +
                where(e.path, t) + ": axis " + std::to_string(d) + " would need " +
                std::to_string(box.start[d] + box.count[d]) + " > " + std::to_string(shape[d]));
    return box;
}

}  // namespace

Edit Edit::set(std::string path, RegionSpec region, Scalar value) {
    Edit e;
    e.kind = Kind::Set;
    e.path = std::move(path);
    e.region = std::move(region);
    e.value = value;
    return e;
}
Edit Edit::scale(std::string path, RegionSpec region, Scalar factor) {
    Edit e = set(std::move(path), std::move(region), factor);
    e.kind = Kind::Scale;
    return e;
}
Edit Edit::add(std::string path, RegionSpec region, Scalar value) {
    Edit e = set(std::move(path), std::move(region), value);
    e.kind = Kind::Add;
    return e;
}
Edit Edit::paste(std::string path, RegionSpec anchor, PasteBlock block) {
    Edit e;
    e.kind = Kind::Paste;
    e.path = std::move(path);
    e.region = std::move(anchor);
    e.block = std::move(block);
    return e;
}

const char* editKindName(Edit::Kind kind) {
    switch (kind) {
        case Edit::Kind::Set:
            return "set";
        case Edit::Kind::Scale:
            return "scale";
        case Edit::Kind::Add:
            return "add";
        case Edit::Kind::Paste:
            return "paste";
        case Edit::Kind::Restore:
            return "restore";
    }
    return "?";
}

EditResult applyEdit(Model& model, const Edit& e) {
    Tensor& t = tensorAt(model, e.path);
    const std::string what = where(e.path, t);
    const DType dtype = t.dtype;
    const std::size_t width = dtypeSize(dtype);

    Region box;
    if (e.kind == Edit::Kind::Restore)
        box = e.box;
    else if (e.kind == Edit::Kind::Paste)
        box = pasteBox(e, t);
    else
        box = resolveRegion(e.region, t.shape, e.path);
    // A Restore's box comes from outside (a GUI may build one): check it like any other.
    if (box.start.size() != t.shape.size() || box.count.size() != t.shape.size() ||
        box.step.size() != t.shape.size())
        throw FormatError("edit of " + what + " has a region of the wrong rank");
    for (std::size_t d = 0; d < t.shape.size(); ++d)
        if (box.start[d] < 0 || box.start[d] >= t.shape[d] || box.count[d] < 1 || box.step[d] < 1 ||
            box.count[d] - 1 > (t.shape[d] - 1 - box.start[d]) / box.step[d])  // no overflow
            throw FormatError("edit of " + what + ": region " + box.describe() +
                              " lies outside the tensor");
    const std::vector<std::int64_t> offsets = elementOffsets(t, box);
    const std::size_t n = offsets.size();

    if (dtype == DType::Bool && (e.kind == Edit::Kind::Scale || e.kind == Edit::Kind::Add))
        throw FormatError(std::string(editKindName(e.kind)) + " of bool " + what +
                          " is not possible: set or fill it with 0/1 instead");
    if (!dtypeIsFloat(dtype) && (e.kind == Edit::Kind::Scale || e.kind == Edit::Kind::Add) &&
        !e.value.isInteger)
        throw FormatError(std::string(editKindName(e.kind)) + " of integer " + what + " by " +
                          scalarText(e.value) + " would give non-integers; use an integer");
    if (e.kind == Edit::Kind::Paste && std::int64_t(e.block.values.size()) != box.numel())
        throw FormatError("paste block has " + std::to_string(e.block.values.size()) +
                          " values for " + std::to_string(box.numel()) + " elements");
    if (e.kind == Edit::Kind::Restore && e.bytes.size() != n * width)
        throw FormatError("restore of " + what + " has the wrong number of bytes");

    // Pass 1: old and new bytes of every element, checked; nothing is written yet.
    const std::uint8_t* base = t.storage->data();
    std::vector<std::uint8_t> oldBytes(n * width), newBytes(n * width);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t at = std::uint64_t(offsets[i]) * width;
        if (base)
            std::memcpy(&oldBytes[i * width], base + at, width);
        else
            t.storage->read(at, &oldBytes[i * width], width);
    }
    if (e.kind == Edit::Kind::Restore) {
        newBytes = e.bytes;
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            Scalar next;
            if (e.kind == Edit::Kind::Set) {
                next = e.value;
            } else if (e.kind == Edit::Kind::Paste) {
                next = e.block.values[i];
            } else {
                const Scalar old = loadElement(&oldBytes[i * width], dtype, t.bigEndian);
                if (dtypeIsFloat(dtype)) {
                    next = Scalar::fromReal(e.kind == Edit::Kind::Add ? old.real + e.value.real
                                                                      : old.real * e.value.real);
                } else {
                    std::int64_t r = 0;
                    const bool overflow =
                        e.kind == Edit::Kind::Add
                            ? __builtin_add_overflow(old.integer, e.value.integer, &r)
                            : __builtin_mul_overflow(old.integer, e.value.integer, &r);
                    if (overflow)
                        throw FormatError(std::string(editKindName(e.kind)) + " of " + what +
                                          " overflows 64-bit integers");
                    next = Scalar::fromInt(r);
                }
            }
            storeElement(&newBytes[i * width], dtype, t.bigEndian, next, "value for " + what);
        }
    }

    // Pass 2: write into the editable copy (made now, shared by every view of the storage).
    EditableStorage& storage = editableStorage(model, t);
    std::uint8_t* out = storage.mutableData();
    for (std::size_t i = 0; i < n; ++i)
        std::memcpy(out + std::uint64_t(offsets[i]) * width, &newBytes[i * width], width);

    EditResult result;
    result.box = box;
    result.elements = std::int64_t(n);
    result.inverse.kind = Edit::Kind::Restore;
    result.inverse.path = e.path;
    result.inverse.box = box;
    result.inverse.bytes = std::move(oldBytes);
    std::string summary = std::string(editKindName(e.kind)) + " " + e.path + box.describe();
    if (e.kind == Edit::Kind::Set) summary += " = " + scalarText(e.value);
    if (e.kind == Edit::Kind::Scale) summary += " *= " + scalarText(e.value);
    if (e.kind == Edit::Kind::Add) summary += " += " + scalarText(e.value);
    if (e.kind == Edit::Kind::Paste)
        summary +=
            " <- " + std::to_string(e.block.rows) + " x " + std::to_string(e.block.cols) + " block";
    if (n == 1 && e.kind != Edit::Kind::Restore) {
        const Scalar before = loadElement(result.inverse.bytes.data(), dtype, t.bigEndian);
        const Scalar after = loadElement(newBytes.data(), dtype, t.bigEndian);
        summary += " (" + elementText(before, dtype) + " -> " + elementText(after, dtype) + ", " +
                   dtypeName(dtype) + ")";
    } else {
        summary += " (" + std::to_string(n) + " elements, " + dtypeName(dtype) + ")";
    }
    result.summary = std::move(summary);
    result.after = std::move(newBytes);
    return result;
}

}  // namespace ws
