// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/tensor.h"

#include <cstring>

#include "model/error.h"
#include "model/half.h"

namespace ws {

std::atomic<std::uint64_t>& Tensor::bytesRead() {
    static std::atomic<std::uint64_t> counter{0};
    return counter;
}

std::int64_t Tensor::numel() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

std::vector<std::int64_t> contiguousStrides(const std::vector<std::int64_t>& shape) {
    std::vector<std::int64_t> s(shape.size());
    std::int64_t step = 1;
    for (std::size_t i = shape.size(); i-- > 0;) {
        s[i] = step;
        step *= shape[i];
    }
    return s;
}

std::vector<std::int64_t> Tensor::effectiveStrides() const {
    return strides.empty() ? contiguousStrides(shape) : strides;
}

bool Tensor::isContiguous() const {
    if (strides.empty()) return true;
    std::int64_t step = 1;
    for (std::size_t i = shape.size(); i-- > 0;) {
        if (shape[i] != 1 && strides[i] != step) return false;
        step *= shape[i];
    }
    return true;
}

void Tensor::validate() const {
    if (!strides.empty() && strides.size() != shape.size())
        throw FormatError("tensor has " + std::to_string(shape.size()) + " dimensions but " +
                          std::to_string(strides.size()) + " strides");
    // Limits keep every product below 2^62, so the checks themselves cannot overflow.
    const std::int64_t limit = std::int64_t(1) << 62;
    std::int64_t n = 1;
    for (std::int64_t d : shape) {
        if (d < 0)
            throw FormatError("tensor has a negative dimension in shape " + shapeToString(shape));
        if (d != 0 && n > limit / d)
            throw FormatError("tensor shape " + shapeToString(shape) + " is too large");
        n *= d;
    }
    if (storageOffset < 0) throw FormatError("tensor has a negative storage offset");
    if (!storage) throw FormatError("tensor has no storage");
    if (n == 0) return;
    std::vector<std::int64_t> st = effectiveStrides();
    std::int64_t last = storageOffset;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (st[i] < 0) throw FormatError("tensor has a negative stride");
        if (st[i] != 0 && shape[i] - 1 > limit / st[i])
            throw FormatError("tensor strides are too large");
        last += (shape[i] - 1) * st[i];
        if (last >= limit) throw FormatError("tensor strides are too large");
    }
    std::uint64_t needed = std::uint64_t(last + 1) * dtypeSize(dtype);
    if (needed > storage->size())
        throw FormatError("tensor of shape " + shapeToString(shape) + " (" + dtypeName(dtype) +
                          ", offset " + std::to_string(storageOffset) + ") needs " +
                          std::to_string(needed) + " bytes but its storage has only " +
                          std::to_string(storage->size()));
}

static void byteSwapInPlace(std::vector<std::uint8_t>& bytes, std::size_t width) {
    if (width == 1) return;
    for (std::size_t i = 0; i + width <= bytes.size(); i += width)
        for (std::size_t a = 0, b = width - 1; a < b; ++a, --b)
            std::swap(bytes[i + a], bytes[i + b]);
}

std::vector<std::uint8_t> Tensor::contiguousBytes() const {
    validate();
    const std::size_t width = dtypeSize(dtype);
    const std::int64_t n = numel();
    std::vector<std::uint8_t> out(std::size_t(n) * width);
    if (n == 0) return out;
    if (isContiguous()) {
        storage->read(std::uint64_t(storageOffset) * width, out.data(), out.size());
    } else {
        // Read the smallest covering range once, then gather the view's elements from it.
        std::vector<std::int64_t> st = effectiveStrides();
        std::int64_t span = 1;
        for (std::size_t i = 0; i < shape.size(); ++i) span += (shape[i] - 1) * st[i];
        std::vector<std::uint8_t> window(std::size_t(span) * width);
        storage->read(std::uint64_t(storageOffset) * width, window.data(), window.size());
        std::vector<std::int64_t> index(shape.size(), 0);
        std::int64_t src = 0;
        for (std::int64_t k = 0; k < n; ++k) {
            std::memcpy(out.data() + std::size_t(k) * width,
                        window.data() + std::size_t(src) * width, width);
            for (std::size_t d = shape.size(); d-- > 0;) {
                if (++index[d] < shape[d]) {
                    src += st[d];
                    break;
                }
                src -= (shape[d] - 1) * st[d];
                index[d] = 0;
            }
        }
    }
    if (bigEndian) byteSwapInPlace(out, width);
    bytesRead() += out.size();
    return out;
}

// One loop per dtype (the switch outside it) so the compiler can keep each loop tight.
template <typename T, typename Widen>
static void widenAll(const std::uint8_t* src, std::size_t n, double* out, Widen widen) {
    for (std::size_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, src + i * sizeof(T), sizeof v);
        out[i] = widen(v);
    }
}

void decodeToDoubles(DType dtype, const std::uint8_t* src, std::size_t n, double* out) {
    const auto plain = [](auto v) { return double(v); };
    switch (dtype) {
        case DType::F16:
            return widenAll<std::uint16_t>(src, n, out,
                                           [](std::uint16_t v) { return double(halfToFloat(v)); });
        case DType::BF16:
            return widenAll<std::uint16_t>(
                src, n, out, [](std::uint16_t v) { return double(bfloat16ToFloat(v)); });
        case DType::F32:
            return widenAll<float>(src, n, out, plain);
        case DType::F64:
            return widenAll<double>(src, n, out, plain);
        case DType::I8:
            return widenAll<std::int8_t>(src, n, out, plain);
        case DType::I16:
            return widenAll<std::int16_t>(src, n, out, plain);
        case DType::I32:
            return widenAll<std::int32_t>(src, n, out, plain);
        case DType::I64:
            return widenAll<std::int64_t>(src, n, out, plain);
        case DType::U8:
            return widenAll<std::uint8_t>(src, n, out, plain);
        case DType::Bool:
            return widenAll<std::uint8_t>(src, n, out,
                                          [](std::uint8_t v) { return v ? 1.0 : 0.0; });
    }
}

std::vector<double> Tensor::toDoubles() const {
    const std::vector<std::uint8_t> bytes = contiguousBytes();
    std::vector<double> out(bytes.size() / dtypeSize(dtype));
    decodeToDoubles(dtype, bytes.data(), out.size(), out.data());
    return out;
}

std::string shapeToString(const std::vector<std::int64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    if (shape.size() == 1) s += ",";
    return s + ")";
}

}  // namespace ws
