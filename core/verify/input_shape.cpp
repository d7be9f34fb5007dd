// SPDX-License-Identifier: GPL-3.0-or-later
#include "verify/input_shape.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "model/error.h"

namespace ws::verify {

namespace {

std::string trimmed(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

}  // namespace

std::vector<std::int64_t> parseInputShape(const std::string& text) {
    std::vector<std::int64_t> shape;
    if (trimmed(text).empty()) return shape;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const std::string part = trimmed(
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        char* end = nullptr;
        errno = 0;
        const long long d = part.empty() ? 0 : std::strtoll(part.c_str(), &end, 10);
        if (part.empty() || errno != 0 || *end != '\0' || d < 1 || d > 1000000000)
            throw FormatError(
                "the input shape needs positive whole numbers separated by commas "
                "(without the batch axis), got '" +
                text + "'");
        shape.push_back(d);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return shape;
}

}  // namespace ws::verify
