// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/tensor_slice.h"

#include <stdexcept>
#include <string>

namespace ws {

namespace {

std::vector<std::int64_t> cStrides(const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> s(shape.size(), 1);
    for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
    return s;
}

std::int64_t elementCount(const std::vector<std::int64_t>& shape) {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

void checkAxis(int axis, std::size_t rank, const char* what) {
    if (axis < -1 || axis >= int(rank))
        throw std::invalid_argument(std::string(what) + " axis " + std::to_string(axis) +
                                    " is outside a rank-" + std::to_string(rank) + " tensor");
}

}  // namespace

std::vector<std::int64_t> sliceElementIndex(const SliceSpec& spec, std::size_t rank,
                                            std::int64_t row, std::int64_t col) {
    std::vector<std::int64_t> index(rank, 0);
    for (std::size_t a = 0; a < rank; ++a) {
        if (int(a) == spec.rowAxis)
            index[a] = row;
        else if (int(a) == spec.colAxis)
            index[a] = col;
        else if (a < spec.fixed.size())
            index[a] = spec.fixed[a];
    }
    return index;
}

SliceSpec defaultSlice(const std::vector<std::int64_t>& shape) {
    SliceSpec spec;
    spec.fixed.assign(shape.size(), 0);
    if (shape.size() == 1) spec.colAxis = 0;
    if (shape.size() >= 2) {
        spec.rowAxis = int(shape.size()) - 2;
        spec.colAxis = int(shape.size()) - 1;
    }
    return spec;
}

std::int64_t fixedAxesOffset(const std::vector<std::int64_t>& shape,
                             const std::vector<std::int64_t>& strides, const SliceSpec& spec) {
    std::int64_t base = 0;
    for (std::size_t a = 0; a < shape.size(); ++a) {
        if (int(a) == spec.rowAxis || int(a) == spec.colAxis) continue;
        const std::int64_t idx = a < spec.fixed.size() ? spec.fixed[a] : 0;
        if (idx < 0 || idx >= shape[a])
            throw std::invalid_argument("index " + std::to_string(idx) + " is outside axis " +
                                        std::to_string(a) + " of size " + std::to_string(shape[a]));
        base += idx * strides[a];
    }
    return base;
}

Matrix2D extractSlice(const std::vector<double>& values, const std::vector<std::int64_t>& shape,
                      const SliceSpec& spec) {
    const std::size_t rank = shape.size();
    checkAxis(spec.rowAxis, rank, "row");
    checkAxis(spec.colAxis, rank, "column");
    if (spec.rowAxis != -1 && spec.rowAxis == spec.colAxis)
        throw std::invalid_argument("rows and columns must be different axes");
    if (std::int64_t(values.size()) != elementCount(shape))
        throw std::invalid_argument("value count does not match the shape");

    const std::vector<std::int64_t> strides = cStrides(shape);
    const std::int64_t base = fixedAxesOffset(shape, strides, spec);

    Matrix2D m;
    m.rows = spec.rowAxis >= 0 ? shape[std::size_t(spec.rowAxis)] : 1;
    m.cols = spec.colAxis >= 0 ? shape[std::size_t(spec.colAxis)] : 1;
    const std::int64_t rowStep = spec.rowAxis >= 0 ? strides[std::size_t(spec.rowAxis)] : 0;
    const std::int64_t colStep = spec.colAxis >= 0 ? strides[std::size_t(spec.colAxis)] : 0;
    if (elementCount(shape) == 0) m.rows = m.cols = 0;
    m.values.resize(std::size_t(m.rows * m.cols));
    for (std::int64_t r = 0; r < m.rows; ++r)
        for (std::int64_t c = 0; c < m.cols; ++c)
            m.values[std::size_t(r * m.cols + c)] =
                values[std::size_t(base + r * rowStep + c * colStep)];
    return m;
}

bool kernelLayoutFor(const std::vector<std::int64_t>& shape, bool isKeras, KernelLayout* out) {
    KernelLayout l;
    if (shape.size() == 4) {
        l = isKeras ? KernelLayout{3, 2, 0, 1} : KernelLayout{0, 1, 2, 3};
    } else if (shape.size() == 3) {
        l = isKeras ? KernelLayout{2, 1, -1, 0} : KernelLayout{0, 1, -1, 2};
    } else {
        return false;
    }
    *out = l;
    return true;
}

Matrix2D tileGrid(const std::vector<double>& values, const std::vector<std::int64_t>& shape,
                  const KernelLayout& layout) {
    const std::size_t rank = shape.size();
    for (int axis : {layout.outAxis, layout.inAxis, layout.kernelRowAxis, layout.kernelColAxis})
        checkAxis(axis, rank, "kernel");
    if (std::int64_t(values.size()) != elementCount(shape))
        throw std::invalid_argument("value count does not match the shape");
    const std::vector<std::int64_t> strides = cStrides(shape);
    auto dim = [&](int axis) { return axis >= 0 ? shape[std::size_t(axis)] : std::int64_t(1); };
    auto step = [&](int axis) { return axis >= 0 ? strides[std::size_t(axis)] : std::int64_t(0); };
    const std::int64_t outs = dim(layout.outAxis), ins = dim(layout.inAxis);
    const std::int64_t kh = dim(layout.kernelRowAxis), kw = dim(layout.kernelColAxis);

    Matrix2D m;
    m.rows = outs * kh;
    m.cols = ins * kw;
    m.values.resize(std::size_t(m.rows * m.cols));
    for (std::int64_t o = 0; o < outs; ++o)
        for (std::int64_t i = 0; i < ins; ++i)
            for (std::int64_t y = 0; y < kh; ++y)
                for (std::int64_t x = 0; x < kw; ++x) {
                    const std::int64_t src = o * step(layout.outAxis) + i * step(layout.inAxis) +
                                             y * step(layout.kernelRowAxis) +
                                             x * step(layout.kernelColAxis);
                    m.values[std::size_t((o * kh + y) * m.cols + i * kw + x)] =
                        values[std::size_t(src)];
                }
    return m;
}

}  // namespace ws
