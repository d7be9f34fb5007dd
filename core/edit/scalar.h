// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A number typed by the user or read from a paste source, kept exactly: integers as int64 (so
// i64 tensors do not lose digits through double), everything else as double.
#include <cstdint>
#include <string>

namespace ws {

struct Scalar {
    bool isInteger = false;
    std::int64_t integer = 0;
    double real = 0;  // always set (for integers too)

    static Scalar fromInt(std::int64_t v) { return {true, v, double(v)}; }
    static Scalar fromReal(double v);  // an integral double in int64 range counts as integer
};

// Parses "3", "-2", "0.5", "1e-3", "nan", "inf", "-inf", "true", "false". Throws FormatError
// naming the text when it is not a number.
Scalar parseScalar(const std::string& text);

std::string scalarText(const Scalar& s);  // shortest text that reads back as the same value

}  // namespace ws
