// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A small dense C-order array of doubles: what the conversion engine permutes, reorders and
// sums. Weights are read once into it (float32 -> double is exact, so a permutation written
// back as float32 reproduces the source bits).
#include <cstdint>
#include <string>
#include <vector>

#include "model/node.h"

namespace ws::convert {

struct DenseArray {
    std::vector<std::int64_t> shape;
    std::vector<double> data;
    DType dtype = DType::F32;  // the dtype to write it back as

    std::int64_t numel() const;
    static DenseArray fromNode(const Node& tensorNode);
    static DenseArray filled(std::vector<std::int64_t> shape, double value, DType dtype);
};

// out axis i = in axis axes[i] (numpy.transpose).
DenseArray permuteAxes(const DenseArray& in, const std::vector<int>& axes);
// The inverse permutation of `axes`.
std::vector<int> invertAxes(const std::vector<int>& axes);
// Splits axis 0 into equal blocks and puts block order[g] at position g.
DenseArray reorderBlocks(const DenseArray& in, const std::vector<int>& order);
// Reverses every axis in `axes`.
DenseArray flipAxes(const DenseArray& in, const std::vector<int>& axes);
// Row `row` of axis 0 ((2, 3h) -> (3h,)).
DenseArray takeRow(const DenseArray& in, std::int64_t row);
// Stacks equal-shaped arrays along a new axis 0.
DenseArray stackRows(const std::vector<DenseArray>& rows);
// Reorders axis `axis` (of size prod(preShape)) from channels-last element order
// (spatial..., C) to channels-first order (C, spatial...), or back when toChannelsLast.
DenseArray reorderFlattened(const DenseArray& in, int axis,
                            const std::vector<std::int64_t>& preShape, bool toChannelsLast);
DenseArray reshaped(DenseArray in, std::vector<std::int64_t> shape);
// Element-wise sum of equal shapes.
DenseArray added(const DenseArray& a, const DenseArray& b);

// The array as a tensor node of its dtype (in-memory storage), named and pathed `name`.
std::unique_ptr<Node> toTensorNode(const DenseArray& a, const std::string& name);

}  // namespace ws::convert
