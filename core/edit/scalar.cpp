// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/scalar.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "model/error.h"

namespace ws {

Scalar Scalar::fromReal(double v) {
    // 2^63 is exactly representable; anything below it that is integral fits in int64.
    if (std::isfinite(v) && v == std::floor(v) && v >= -9223372036854775808.0 &&
        v < 9223372036854775808.0)
        return {true, std::int64_t(v), v};
    return {false, 0, v};
}

Scalar parseScalar(const std::string& raw) {
    std::string text = raw;
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.pop_back();
    std::size_t lead = 0;
    while (lead < text.size() && (text[lead] == ' ' || text[lead] == '\t')) ++lead;
    text.erase(0, lead);
    if (text == "true" || text == "True") return Scalar::fromInt(1);
    if (text == "false" || text == "False") return Scalar::fromInt(0);
    if (text.empty()) throw FormatError("empty value where a number was expected");
    const char* begin = text.c_str();
    char* end = nullptr;
    // Plain integers first, exactly (strtod would round 9007199254740993).
    const bool looksInteger = text.find_first_of(".eEnNiI") == std::string::npos;
    if (looksInteger) {
        errno = 0;
        const long long v = std::strtoll(begin, &end, 10);
        if (end == begin + text.size() && errno == 0) return Scalar::fromInt(v);
    }
    errno = 0;
    const double d = std::strtod(begin, &end);
    if (end != begin + text.size() || end == begin)
        throw FormatError("'" + raw + "' is not a number");
    if (errno == ERANGE && std::isinf(d))
        throw FormatError("'" + raw + "' is too large for a 64-bit float");
    return Scalar::fromReal(d);
}

std::string scalarText(const Scalar& s) {
    if (s.isInteger) return std::to_string(s.integer);
    if (std::isnan(s.real)) return "nan";
    if (std::isinf(s.real)) return s.real > 0 ? "inf" : "-inf";
    char buf[40];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, s.real);
        if (std::strtod(buf, nullptr) == s.real) break;
    }
    return buf;
}

}  // namespace ws
