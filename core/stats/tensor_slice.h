// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// 2-D views of N-D tensor values for display: a slice through two chosen axes, or the tile grid
// of a convolution kernel. Plain C++ so views and tests share one definition of "what is shown".
#include <cstdint>
#include <vector>

namespace ws {

// Row-major rows × cols values.
struct Matrix2D {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<double> values;

    double at(std::int64_t r, std::int64_t c) const { return values[std::size_t(r * cols + c)]; }
};

// Which two axes are shown and where every other axis is fixed. rowAxis == -1 shows a single row
// (a 0-D or 1-D tensor, shown as a strip); colAxis == -1 shows a single column.
struct SliceSpec {
    int rowAxis = -1;
    int colAxis = -1;
    std::vector<std::int64_t> fixed;  // one index per axis; entries of rowAxis/colAxis are ignored
};

// Offset (in elements, with these strides) of the spec's fixed indices on every axis other than
// rowAxis/colAxis: where the shown slice starts. Missing entries of spec.fixed count as 0. Throws
// std::invalid_argument for a fixed index outside its dimension. Shared by the in-memory slice
// and the streaming element grid so both reject and place a slice the same way.
std::int64_t fixedAxesOffset(const std::vector<std::int64_t>& shape,
                             const std::vector<std::int64_t>& strides, const SliceSpec& spec);

// The full index (one entry per axis of a rank-`rank` tensor) of cell (row, col) of the slice:
// row/col on the shown axes, spec.fixed (missing entries 0) on the others. Not range-checked.
std::vector<std::int64_t> sliceElementIndex(const SliceSpec& spec, std::size_t rank,
                                            std::int64_t row, std::int64_t col);

// The natural view: a matrix shows all of itself, a 1-D tensor is one row, higher ranks show
// their last two axes at index 0 of the others.
SliceSpec defaultSlice(const std::vector<std::int64_t>& shape);

// values are the tensor's elements in C order. Throws std::invalid_argument for a spec that does
// not fit the shape (axis out of range, same axis twice, fixed index outside its dimension).
Matrix2D extractSlice(const std::vector<double>& values, const std::vector<std::int64_t>& shape,
                      const SliceSpec& spec);

// Where a convolution kernel keeps its channels and spatial taps. PyTorch: (out, in, kh, kw);
// Keras: (kh, kw, in, out). For 1-D convolutions kernelRowAxis is -1 (tiles are 1 × k).
struct KernelLayout {
    int outAxis = 0;
    int inAxis = 1;
    int kernelRowAxis = 2;
    int kernelColAxis = 3;
};

// The layout of a rank-3 (1-D conv) or rank-4 (2-D conv) kernel: Keras's channels-last order when
// isKeras, PyTorch's otherwise. Returns false for other ranks.
bool kernelLayoutFor(const std::vector<std::int64_t>& shape, bool isKeras, KernelLayout* out);

// The kernel as a grid of tiles: tile (o, i) is the kh × kw filter from input channel i to output
// channel o, at rows [o*kh, (o+1)*kh) and columns [i*kw, (i+1)*kw).
Matrix2D tileGrid(const std::vector<double>& values, const std::vector<std::int64_t>& shape,
                  const KernelLayout& layout);

}  // namespace ws
