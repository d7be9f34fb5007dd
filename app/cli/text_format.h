// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small formatting helpers for the text report.
#include <cstdint>
#include <string>

namespace wscli {

std::string withThousands(std::uint64_t n);  // 1234567 -> "1,234,567"
std::string humanBytes(std::uint64_t n);     // 1536 -> "1.5 KiB"
std::string shortNumber(double v);           // %.6g; "nan" when NaN
// One line of terminal text: control characters escaped, cut at maxChars with "...".
std::string printable(const std::string& s, std::size_t maxChars = std::string::npos);

}  // namespace wscli
