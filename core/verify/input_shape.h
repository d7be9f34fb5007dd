// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The text form of a forward check's input shape, as typed on the command line (--input-shape)
// and in the desktop app's transfer dialog: "60,1" -> {60, 1}, without the batch axis.
#include <cstdint>
#include <string>
#include <vector>

namespace ws::verify {

// Positive whole numbers (at most 1e9) separated by commas, spaces around them allowed.
// Blank text gives {} (callers decide whether that means "from the Keras config").
// Throws FormatError quoting the text on anything else.
std::vector<std::int64_t> parseInputShape(const std::string& text);

}  // namespace ws::verify
