// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/element_grid.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "model/half.h"

namespace ws {

namespace {

void checkAxis(int axis, std::size_t rank, const char* what) {
    if (axis < -1 || axis >= int(rank))
        throw std::invalid_argument(std::string(what) + " axis " + std::to_string(axis) +
                                    " is outside a rank-" + std::to_string(rank) + " tensor");
}

std::vector<std::int64_t> steps(std::int64_t n, std::int64_t stride) {
    std::vector<std::int64_t> v(std::size_t(std::max<std::int64_t>(n, 0)));
    for (std::int64_t i = 0; i < n; ++i) v[std::size_t(i)] = i * stride;
    return v;
}

template <typename T>
T load(const std::uint8_t* p, bool swap) {
    std::uint8_t b[sizeof(T)];
    std::memcpy(b, p, sizeof(T));
    if (swap) std::reverse(b, b + sizeof(T));
    T v;
    std::memcpy(&v, b, sizeof(T));
    return v;
}

double decodeOne(const std::uint8_t* p, DType dtype, bool swap) {
    switch (dtype) {
        case DType::F16:
            return halfToFloat(load<std::uint16_t>(p, swap));
        case DType::BF16:
            return bfloat16ToFloat(load<std::uint16_t>(p, swap));
        case DType::F32:
            return load<float>(p, swap);
        case DType::F64:
            return load<double>(p, swap);
        case DType::I8:
            return load<std::int8_t>(p, false);
        case DType::I16:
            return load<std::int16_t>(p, swap);
        case DType::I32:
            return load<std::int32_t>(p, swap);
        case DType::I64:
            return double(load<std::int64_t>(p, swap));
        case DType::U8:
            return *p;
        case DType::Bool:
            return *p ? 1.0 : 0.0;
    }
    return 0;
}

// The hot path of every large heatmap: a run of little-endian elements. A loop per type lets
// the compiler vectorise the widening; everything else goes element by element.
template <typename T>
void widenRun(const std::uint8_t* p, std::int64_t n, double* out) {
    for (std::int64_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, p + std::size_t(i) * sizeof(T), sizeof(T));
        out[i] = double(v);
    }
}

void decodeRun(const std::uint8_t* p, std::int64_t n, std::int64_t strideBytes, DType dtype,
               bool swap, double* out) {
    if (!swap && strideBytes == std::int64_t(dtypeSize(dtype))) {
        switch (dtype) {
            case DType::F32:
                return widenRun<float>(p, n, out);
            case DType::F64:
                return widenRun<double>(p, n, out);
            case DType::I32:
                return widenRun<std::int32_t>(p, n, out);
            case DType::I8:
                return widenRun<std::int8_t>(p, n, out);
            case DType::U8:
                return widenRun<std::uint8_t>(p, n, out);
            default:
                break;
        }
    }
    for (std::int64_t i = 0; i < n; ++i) out[i] = decodeOne(p + i * strideBytes, dtype, swap);
}

// Scratch reads of a non-mapped storage stay below this; wider gathers read element by element.
constexpr std::int64_t kMaxScratchBytes = std::int64_t(64) << 20;

}  // namespace

ElementGrid sliceGrid(const Tensor& tensor, const SliceSpec& spec) {
    const std::vector<std::int64_t>& shape = tensor.shape;
    const std::size_t rank = shape.size();
    checkAxis(spec.rowAxis, rank, "row");
    checkAxis(spec.colAxis, rank, "column");
    if (spec.rowAxis != -1 && spec.rowAxis == spec.colAxis)
        throw std::invalid_argument("rows and columns must be different axes");
    const std::vector<std::int64_t> strides = tensor.effectiveStrides();
    ElementGrid g;
    g.base = tensor.storageOffset + fixedAxesOffset(shape, strides, spec);
    if (tensor.numel() == 0) return g;
    const auto axisSteps = [&](int axis) {
        return axis >= 0 ? steps(shape[std::size_t(axis)], strides[std::size_t(axis)])
                         : std::vector<std::int64_t>{0};
    };
    g.rowOffsets = axisSteps(spec.rowAxis);
    g.colOffsets = axisSteps(spec.colAxis);
    return g;
}

ElementGrid kernelTileGrid(const Tensor& tensor, const KernelLayout& layout) {
    const std::size_t rank = tensor.shape.size();
    for (int axis : {layout.outAxis, layout.inAxis, layout.kernelRowAxis, layout.kernelColAxis})
        checkAxis(axis, rank, "kernel");
    const std::vector<std::int64_t> strides = tensor.effectiveStrides();
    auto dim = [&](int axis) { return axis >= 0 ? tensor.shape[std::size_t(axis)] : 1; };
    auto step = [&](int axis) { return axis >= 0 ? strides[std::size_t(axis)] : 0; };
    // Tile (o, i) holds the kh × kw filter: row o*kh + y, column i*kw + x.
    const auto interleave = [](std::int64_t outer, std::int64_t outerStep, std::int64_t inner,
                               std::int64_t innerStep) {
        std::vector<std::int64_t> v;
        v.reserve(std::size_t(outer * inner));
        for (std::int64_t o = 0; o < outer; ++o)
            for (std::int64_t k = 0; k < inner; ++k) v.push_back(o * outerStep + k * innerStep);
        return v;
    };
    ElementGrid g;
    g.base = tensor.storageOffset;
    if (tensor.numel() == 0) return g;
    g.rowOffsets = interleave(dim(layout.outAxis), step(layout.outAxis), dim(layout.kernelRowAxis),
                              step(layout.kernelRowAxis));
    g.colOffsets = interleave(dim(layout.inAxis), step(layout.inAxis), dim(layout.kernelColAxis),
                              step(layout.kernelColAxis));
    return g;
}

ElementGrid wholeTensorGrid(const Tensor& tensor) {
    ElementGrid g;
    g.base = tensor.storageOffset;
    if (tensor.numel() == 0) return g;
    const std::vector<std::int64_t>& shape = tensor.shape;
    const std::vector<std::int64_t> strides = tensor.effectiveStrides();
    if (shape.empty()) {
        g.rowOffsets = g.colOffsets = {0};
        return g;
    }
    const std::size_t last = shape.size() - 1;
    g.colOffsets = steps(shape[last], strides[last]);
    // Row offsets walk the leading axes like an odometer.
    std::vector<std::int64_t> index(last, 0);
    const std::int64_t rows = tensor.numel() / shape[last];
    g.rowOffsets.reserve(std::size_t(rows));
    std::int64_t at = 0;
    for (std::int64_t r = 0; r < rows; ++r) {
        g.rowOffsets.push_back(at);
        for (std::size_t d = last; d-- > 0;) {
            if (++index[d] < shape[d]) {
                at += strides[d];
                break;
            }
            at -= (shape[d] - 1) * strides[d];
            index[d] = 0;
        }
    }
    return g;
}

GridReader::GridReader(const Tensor& tensor, const ElementGrid& grid)
    : tensor_(tensor), grid_(grid) {
    tensor.validate();
    mapped_ = tensor.storage->data();
    width_ = dtypeSize(tensor.dtype);
    const auto& c = grid.colOffsets;
    colStep_ = c.size() > 1 ? c[1] - c[0] : 1;
    for (std::size_t i = 1; i < c.size() && colStep_ >= 0; ++i)
        if (c[i] - c[i - 1] != colStep_) colStep_ = -1;
}

void GridReader::readRow(std::int64_t r, std::int64_t c0, std::int64_t c1, double* out) const {
    const std::int64_t n = c1 - c0;
    if (n <= 0) return;
    const DType dtype = tensor_.dtype;
    const bool swap = tensor_.bigEndian && width_ > 1;
    const std::int64_t w = std::int64_t(width_);
    const std::int64_t rowBase = grid_.base + grid_.rowOffsets[std::size_t(r)];
    const std::int64_t* cols = grid_.colOffsets.data();
    Tensor::bytesRead() += std::uint64_t(n * w);
    if (mapped_) {
        if (colStep_ >= 0)
            return decodeRun(mapped_ + (rowBase + cols[c0]) * w, n, colStep_ * w, dtype, swap, out);
        for (std::int64_t c = c0; c < c1; ++c)
            out[c - c0] = decodeOne(mapped_ + (rowBase + cols[c]) * w, dtype, swap);
        return;
    }
    // Not in memory: read the smallest covering run once, then pick the cells from it.
    std::int64_t lo = cols[c0], hi = cols[c0];
    for (std::int64_t c = c0; c < c1; ++c) {
        lo = std::min(lo, cols[c]);
        hi = std::max(hi, cols[c]);
    }
    const std::int64_t spanBytes = (hi - lo + 1) * w;
    if (spanBytes <= kMaxScratchBytes) {
        scratch_.resize(std::size_t(spanBytes));
        tensor_.storage->read(std::uint64_t((rowBase + lo) * w), scratch_.data(),
                              std::size_t(spanBytes));
        const std::uint8_t* p = scratch_.data() - lo * w;
        if (colStep_ >= 0) return decodeRun(p + cols[c0] * w, n, colStep_ * w, dtype, swap, out);
        for (std::int64_t c = c0; c < c1; ++c)
            out[c - c0] = decodeOne(p + cols[c] * w, dtype, swap);
        return;
    }
    std::uint8_t one[8];
    for (std::int64_t c = c0; c < c1; ++c) {
        tensor_.storage->read(std::uint64_t((rowBase + cols[c]) * w), one, width_);
        out[c - c0] = decodeOne(one, dtype, swap);
    }
}

double GridReader::at(std::int64_t r, std::int64_t c) const {
    double v = 0;
    readRow(r, c, c + 1, &v);
    return v;
}

void forEachElementPiece(const Tensor& tensor, const std::atomic<bool>* cancel,
                         const std::function<void(const double*, std::int64_t)>& fn) {
    const ElementGrid grid = wholeTensorGrid(tensor);
    const GridReader reader(tensor, grid);
    const std::int64_t piece = std::min<std::int64_t>(grid.cols(), std::int64_t(1) << 16);
    std::vector<double> buffer(static_cast<std::size_t>(piece));
    for (std::int64_t r = 0; r < grid.rows(); ++r)
        for (std::int64_t c0 = 0; c0 < grid.cols(); c0 += piece) {
            if (cancel && cancel->load(std::memory_order_relaxed)) throw ReadCancelled();
            const std::int64_t c1 = std::min(grid.cols(), c0 + piece);
            reader.readRow(r, c0, c1, buffer.data());
            fn(buffer.data(), c1 - c0);
        }
}

}  // namespace ws
