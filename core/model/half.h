// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// IEEE binary16 and bfloat16 to and from float32.
#include <cstdint>

namespace ws {

float halfToFloat(std::uint16_t h);
float bfloat16ToFloat(std::uint16_t b);
std::uint16_t floatToHalf(float f);      // round to nearest even
std::uint16_t floatToBfloat16(float f);  // round to nearest even; NaN stays NaN

}  // namespace ws
