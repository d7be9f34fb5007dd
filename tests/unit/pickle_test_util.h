// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers for the pickle tests: hex to bytes and a decode wrapper.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "pickle/unpickler.h"

namespace ws_test {

inline std::vector<std::uint8_t> fromHex(const std::string& hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(std::uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// A string literal with its embedded NUL bytes: lit("K\x00.") has 3 bytes.
template <std::size_t N>
std::string lit(const char (&s)[N]) {
    return std::string(s, N - 1);
}

inline std::vector<std::uint8_t> bytesOf(const std::string& s) {
    return std::vector<std::uint8_t>(s.begin(), s.end());
}

inline std::unique_ptr<ws::pickle::Document> decode(const std::vector<std::uint8_t>& bytes,
                                                    ws::PickleReport& report,
                                                    const ws::pickle::Limits& limits = {}) {
    return ws::pickle::unpickle(bytes.data(), bytes.size(), report, nullptr, limits);
}

inline std::unique_ptr<ws::pickle::Document> decode(const std::string& bytes,
                                                    ws::PickleReport& report,
                                                    const ws::pickle::Limits& limits = {}) {
    return decode(bytesOf(bytes), report, limits);
}

}  // namespace ws_test
