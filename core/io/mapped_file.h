// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A whole file mapped read-only into memory; the one ByteSource every reader starts from.
#include <string>

#include "io/byte_source.h"

namespace ws {

// Throws FormatError naming the problem (missing, unreadable, a directory) when it cannot map.
ByteSourcePtr mapFile(const std::string& path);

}  // namespace ws
