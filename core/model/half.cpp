// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/half.h"

#include <cstring>

namespace ws {

static float bitsToFloat(std::uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
static std::uint32_t floatToBits(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

float halfToFloat(std::uint16_t h) {
    std::uint32_t sign = std::uint32_t(h & 0x8000) << 16;
    std::uint32_t exp = (h >> 10) & 0x1f;
    std::uint32_t mant = h & 0x3ff;
    if (exp == 0x1f) return bitsToFloat(sign | 0x7f800000u | (mant << 13));  // Inf / NaN
    if (exp == 0) {
        if (mant == 0) return bitsToFloat(sign);
        // Subnormal: value = mant * 2^-24.
        float v = float(mant) * (1.0f / 16777216.0f);
        return sign ? -v : v;
    }
    return bitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
}

float bfloat16ToFloat(std::uint16_t b) { return bitsToFloat(std::uint32_t(b) << 16); }

std::uint16_t floatToBfloat16(float f) {
    std::uint32_t u = floatToBits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return std::uint16_t((u >> 16) | 0x40);  // quiet NaN
    u += 0x7fff + ((u >> 16) & 1);
    return std::uint16_t(u >> 16);
}

std::uint16_t floatToHalf(float f) {
    std::uint32_t u = floatToBits(f);
    std::uint16_t sign = std::uint16_t((u >> 16) & 0x8000);
    std::uint32_t absBits = u & 0x7fffffffu;
    if (absBits > 0x7f800000u) return sign | 0x7e00;   // NaN
    if (absBits >= 0x477ff000u) return sign | 0x7c00;  // overflow (incl. Inf) -> Inf
    if (absBits < 0x38800000u) {                       // subnormal or zero in half
        if (absBits < 0x33000000u) return sign;        // rounds to zero
        std::uint32_t exp = absBits >> 23;
        std::uint32_t mant = (absBits & 0x7fffff) | 0x800000;
        std::uint32_t shift = 126 - exp;  // 14..24
        std::uint32_t half = mant >> shift;
        std::uint32_t rem = mant & ((1u << shift) - 1);
        std::uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) ++half;
        return std::uint16_t(sign | half);
    }
    std::uint32_t rounded = absBits + 0xfff + ((absBits >> 13) & 1);
    return std::uint16_t(sign | ((rounded - 0x38000000u) >> 13));
}

}  // namespace ws
