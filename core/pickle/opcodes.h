// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Names of the pickle opcodes, for error messages ("BINGET at byte 12: ...").
#include <cstdint>

namespace ws::pickle {

// The pickletools name of opcode byte `op` ("BINUNICODE"), or null for an unknown byte.
const char* opcodeName(std::uint8_t op);

}  // namespace ws::pickle
