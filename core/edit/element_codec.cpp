// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/element_codec.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "model/error.h"
#include "model/half.h"

namespace ws {

namespace {

void swapBytes(std::uint8_t* p, std::size_t n) {
    for (std::size_t a = 0, b = n - 1; a < b; ++a, --b) std::swap(p[a], p[b]);
}

template <typename T>
T load(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <typename T>
void save(std::uint8_t* p, T v) {
    std::memcpy(p, &v, sizeof v);
}

// The float nearest to d with ties broken towards an odd significand ("round to odd"). A
// second rounding of that float to a format with at least two fewer significand bits (half:
// 11, bfloat16: 8) gives the correctly rounded result of d, which double -> float -> half
// does not always (double rounding).
float roundToOddFloat(double d) {
    float f = float(d);
    if (!std::isfinite(d) || double(f) == d) return f;
    if (std::fabs(double(f)) > std::fabs(d)) f = std::nextafter(f, 0.0f);  // truncate
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    bits |= 1;
    std::memcpy(&f, &bits, 4);
    return f;
}

std::int64_t integerOrThrow(const Scalar& v, std::int64_t lo, std::int64_t hi, DType dtype,
                            const std::string& what) {
    if (!v.isInteger)
        throw FormatError(what + ": " + scalarText(v) + " is not an integer, and the tensor is " +
                          dtypeName(dtype));
    if (v.integer < lo || v.integer > hi)
        throw FormatError(what + ": " + scalarText(v) + " does not fit in " + dtypeName(dtype) +
                          " (" + std::to_string(lo) + " to " + std::to_string(hi) + ")");
    return v.integer;
}

}  // namespace

std::uint16_t doubleToHalf(double d) { return floatToHalf(roundToOddFloat(d)); }
std::uint16_t doubleToBfloat16(double d) { return floatToBfloat16(roundToOddFloat(d)); }

Scalar loadElement(const std::uint8_t* src, DType dtype, bool bigEndian) {
    std::uint8_t p[8];
    const std::size_t w = dtypeSize(dtype);
    std::memcpy(p, src, w);
    if (bigEndian && w > 1) swapBytes(p, w);
    switch (dtype) {
        // Integral floats count as integers, so 3.0 from a float .npy fits an int tensor.
        case DType::F16:
            return Scalar::fromReal(halfToFloat(load<std::uint16_t>(p)));
        case DType::BF16:
            return Scalar::fromReal(bfloat16ToFloat(load<std::uint16_t>(p)));
        case DType::F32:
            return Scalar::fromReal(load<float>(p));
        case DType::F64:
            return Scalar::fromReal(load<double>(p));
        case DType::I8:
            return Scalar::fromInt(load<std::int8_t>(p));
        case DType::I16:
            return Scalar::fromInt(load<std::int16_t>(p));
        case DType::I32:
            return Scalar::fromInt(load<std::int32_t>(p));
        case DType::I64:
            return Scalar::fromInt(load<std::int64_t>(p));
        case DType::U8:
            return Scalar::fromInt(load<std::uint8_t>(p));
        case DType::Bool:
            return Scalar::fromInt(p[0] ? 1 : 0);
    }
    return {};
}

void storeElement(std::uint8_t* dst, DType dtype, bool bigEndian, const Scalar& v,
                  const std::string& what) {
    std::uint8_t p[8];
    using L = std::numeric_limits<std::int64_t>;
    switch (dtype) {
        case DType::F16:
            save(p, doubleToHalf(v.real));
            break;
        case DType::BF16:
            save(p, doubleToBfloat16(v.real));
            break;
        case DType::F32:
            save(p, float(v.real));
            break;
        case DType::F64:
            save(p, v.real);
            break;
        case DType::I8:
            save(p, std::int8_t(integerOrThrow(v, -128, 127, dtype, what)));
            break;
        case DType::I16:
            save(p, std::int16_t(integerOrThrow(v, -32768, 32767, dtype, what)));
            break;
        case DType::I32:
            save(p, std::int32_t(integerOrThrow(v, -2147483648LL, 2147483647LL, dtype, what)));
            break;
        case DType::I64:
            save(p, integerOrThrow(v, L::min(), L::max(), dtype, what));
            break;
        case DType::U8:
            save(p, std::uint8_t(integerOrThrow(v, 0, 255, dtype, what)));
            break;
        case DType::Bool:
            if (!v.isInteger || (v.integer != 0 && v.integer != 1))
                throw FormatError(what + ": " + scalarText(v) +
                                  " is not a boolean (use 0/1 or true/false)");
            p[0] = std::uint8_t(v.integer);
            break;
    }
    const std::size_t w = dtypeSize(dtype);
    if (bigEndian && w > 1) swapBytes(p, w);
    std::memcpy(dst, p, w);
}

std::string storedElementText(const Tensor& tensor, std::int64_t element) {
    const std::size_t w = dtypeSize(tensor.dtype);
    if (!tensor.storage || element < 0 || std::uint64_t(element) >= tensor.storage->size() / w)
        throw FormatError("element " + std::to_string(element) + " is outside the storage");
    std::uint8_t p[8];
    tensor.storage->read(std::uint64_t(element) * w, p, w);
    return elementText(loadElement(p, tensor.dtype, tensor.bigEndian), tensor.dtype);
}

std::string elementText(const Scalar& v, DType dtype) {
    if (!dtypeIsFloat(dtype) || dtype == DType::F64 || !std::isfinite(v.real)) return scalarText(v);
    std::uint8_t want[8], got[8];
    storeElement(want, dtype, false, v, "value");
    char buf[40];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v.real);
        storeElement(got, dtype, false, Scalar::fromReal(std::strtod(buf, nullptr)), "value");
        if (std::memcmp(want, got, dtypeSize(dtype)) == 0) break;
    }
    return buf;
}

Scalar roundToDtype(const Scalar& v, DType dtype, const std::string& what) {
    std::uint8_t p[8];
    storeElement(p, dtype, false, v, what);
    return loadElement(p, dtype, false);
}

}  // namespace ws
