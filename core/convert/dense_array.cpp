// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/dense_array.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "io/byte_source.h"
#include "model/error.h"

namespace ws::convert {

namespace {

std::vector<std::int64_t> stridesOf(const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> s(shape.size(), 1);
    for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
    return s;
}

// Calls fn(flatIndex, index) for every index of `shape` in C order.
template <typename Fn>
void forEachIndex(const std::vector<std::int64_t>& shape, Fn fn) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<std::int64_t> idx(shape.size(), 0);
    for (std::int64_t flat = 0; flat < n; ++flat) {
        fn(flat, idx);
        for (std::size_t a = shape.size(); a-- > 0;) {
            if (++idx[a] < shape[a]) break;
            idx[a] = 0;
        }
    }
}

}  // namespace

std::int64_t DenseArray::numel() const {
    return std::accumulate(shape.begin(), shape.end(), std::int64_t(1), std::multiplies<>());
}

DenseArray DenseArray::fromNode(const Node& node) {
    if (!node.tensor) throw FormatError("'" + node.path + "' is not a tensor");
    DenseArray a;
    a.shape = node.tensor->shape;
    a.data = node.tensor->toDoubles();
    a.dtype = node.tensor->dtype == DType::F64 ? DType::F64 : DType::F32;
    return a;
}

DenseArray DenseArray::filled(std::vector<std::int64_t> shape, double value, DType dtype) {
    DenseArray a;
    a.shape = std::move(shape);
    a.dtype = dtype;
    a.data.assign(std::size_t(a.numel()), value);
    return a;
}

DenseArray permuteAxes(const DenseArray& in, const std::vector<int>& axes) {
    if (axes.size() != in.shape.size())
        throw FormatError("cannot permute a " + std::to_string(in.shape.size()) + "-d array " +
                          shapeToString(in.shape) + " with " + std::to_string(axes.size()) +
                          " axes");
    DenseArray out;
    out.dtype = in.dtype;
    for (int a : axes) out.shape.push_back(in.shape[std::size_t(a)]);
    out.data.resize(in.data.size());
    const auto inStrides = stridesOf(in.shape);
    forEachIndex(out.shape, [&](std::int64_t flat, const std::vector<std::int64_t>& idx) {
        std::int64_t src = 0;
        for (std::size_t i = 0; i < axes.size(); ++i)
            src += idx[i] * inStrides[std::size_t(axes[i])];
        out.data[std::size_t(flat)] = in.data[std::size_t(src)];
    });
    return out;
}

std::vector<int> invertAxes(const std::vector<int>& axes) {
    std::vector<int> inv(axes.size());
    for (std::size_t i = 0; i < axes.size(); ++i) inv[std::size_t(axes[i])] = int(i);
    return inv;
}

DenseArray reorderBlocks(const DenseArray& in, const std::vector<int>& order) {
    if (in.shape.empty() || in.shape[0] % std::int64_t(order.size()) != 0)
        throw FormatError("axis 0 of " + shapeToString(in.shape) + " does not split into " +
                          std::to_string(order.size()) + " gate blocks");
    const std::size_t block = in.data.size() / order.size();
    DenseArray out = in;
    for (std::size_t g = 0; g < order.size(); ++g)
        std::copy_n(in.data.begin() + std::ptrdiff_t(block * std::size_t(order[g])), block,
                    out.data.begin() + std::ptrdiff_t(block * g));
    return out;
}

DenseArray flipAxes(const DenseArray& in, const std::vector<int>& axes) {
    DenseArray out = in;
    const auto strides = stridesOf(in.shape);
    forEachIndex(in.shape, [&](std::int64_t flat, const std::vector<std::int64_t>& idx) {
        std::int64_t src = flat;
        for (int a : axes) {
            const std::size_t u = std::size_t(a);
            src += (in.shape[u] - 1 - 2 * idx[u]) * strides[u];
        }
        out.data[std::size_t(flat)] = in.data[std::size_t(src)];
    });
    return out;
}

DenseArray takeRow(const DenseArray& in, std::int64_t row) {
    if (in.shape.empty() || row < 0 || row >= in.shape[0])
        throw FormatError("array " + shapeToString(in.shape) + " has no row " +
                          std::to_string(row));
    DenseArray out;
    out.dtype = in.dtype;
    out.shape.assign(in.shape.begin() + 1, in.shape.end());
    const std::size_t n = std::size_t(out.numel());
    out.data.assign(in.data.begin() + std::ptrdiff_t(n * std::size_t(row)),
                    in.data.begin() + std::ptrdiff_t(n * std::size_t(row + 1)));
    return out;
}

DenseArray stackRows(const std::vector<DenseArray>& rows) {
    DenseArray out;
    out.dtype = rows.at(0).dtype;
    out.shape = rows[0].shape;
    out.shape.insert(out.shape.begin(), std::int64_t(rows.size()));
    for (const auto& r : rows) {
        if (r.shape != rows[0].shape) throw FormatError("cannot stack rows of different shapes");
        out.data.insert(out.data.end(), r.data.begin(), r.data.end());
    }
    return out;
}

DenseArray reorderFlattened(const DenseArray& in, int axis, const std::vector<std::int64_t>& pre,
                            bool toChannelsLast) {
    const std::int64_t n =
        std::accumulate(pre.begin(), pre.end(), std::int64_t(1), std::multiplies<>());
    if (axis < 0 || std::size_t(axis) >= in.shape.size() || in.shape[std::size_t(axis)] != n)
        throw FormatError("axis of size " +
                          std::to_string(axis >= 0 && std::size_t(axis) < in.shape.size()
                                             ? in.shape[std::size_t(axis)]
                                             : -1) +
                          " does not match the flattened shape " + shapeToString(pre));
    // perm[cf] = the channels-last position of the element at channels-first position cf.
    std::vector<std::int64_t> cfShape;
    cfShape.push_back(pre.back());
    cfShape.insert(cfShape.end(), pre.begin(), pre.end() - 1);
    const auto clStrides = stridesOf(pre);
    std::vector<std::int64_t> perm(static_cast<std::size_t>(n));
    forEachIndex(cfShape, [&](std::int64_t flat, const std::vector<std::int64_t>& idx) {
        std::int64_t cl = idx[0] * clStrides.back();
        for (std::size_t i = 1; i < idx.size(); ++i) cl += idx[i] * clStrides[i - 1];
        perm[std::size_t(flat)] = cl;
    });
    DenseArray out = in;
    const auto strides = stridesOf(in.shape);
    const std::size_t ax = std::size_t(axis);
    forEachIndex(in.shape, [&](std::int64_t flat, const std::vector<std::int64_t>& idx) {
        const std::int64_t pos = idx[ax];
        const std::int64_t base = flat - pos * strides[ax];
        if (toChannelsLast)
            out.data[std::size_t(base + perm[std::size_t(pos)] * strides[ax])] =
                in.data[std::size_t(flat)];
        else
            out.data[std::size_t(flat)] =
                in.data[std::size_t(base + perm[std::size_t(pos)] * strides[ax])];
    });
    return out;
}

DenseArray reshaped(DenseArray in, std::vector<std::int64_t> shape) {
    const std::int64_t n =
        std::accumulate(shape.begin(), shape.end(), std::int64_t(1), std::multiplies<>());
    if (n != in.numel())
        throw FormatError("cannot reshape " + shapeToString(in.shape) + " to " +
                          shapeToString(shape));
    in.shape = std::move(shape);
    return in;
}

DenseArray added(const DenseArray& a, const DenseArray& b) {
    if (a.shape != b.shape)
        throw FormatError("cannot add " + shapeToString(a.shape) + " and " +
                          shapeToString(b.shape));
    DenseArray out = a;
    for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] += b.data[i];
    return out;
}

std::unique_ptr<Node> toTensorNode(const DenseArray& a, const std::string& name) {
    std::vector<std::uint8_t> bytes;
    if (a.dtype == DType::F64) {
        bytes.resize(a.data.size() * sizeof(double));
        if (!bytes.empty()) std::memcpy(bytes.data(), a.data.data(), bytes.size());
    } else if (a.dtype == DType::I64) {
        std::vector<std::int64_t> v(a.data.begin(), a.data.end());
        bytes.resize(v.size() * sizeof(std::int64_t));
        if (!bytes.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
    } else {
        std::vector<float> v(a.data.begin(), a.data.end());
        bytes.resize(v.size() * sizeof(float));
        if (!bytes.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
    }
    auto t = std::make_shared<Tensor>();
    t->dtype = a.dtype == DType::F64 || a.dtype == DType::I64 ? a.dtype : DType::F32;
    t->shape = a.shape;
    t->storage = std::make_shared<MemoryByteSource>(std::move(bytes));
    auto node = makeTensorNode(name, t);
    node->path = name;
    return node;
}

}  // namespace ws::convert
