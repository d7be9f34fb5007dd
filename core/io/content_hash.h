// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A 64-bit hash of a run of bytes, for telling "the same content" from "changed" (the crash
// journal's fingerprint of the storages it edits). Not cryptographic: it guards against
// accidents (a file replaced or rewritten since), not against an attacker.
#include <cstddef>
#include <cstdint>

#include "io/byte_source.h"

namespace ws {

std::uint64_t contentHash(const void* data, std::size_t n);
// The hash of all bytes of the source (read in pieces when it is not in memory).
std::uint64_t contentHash(const ByteSource& source);

}  // namespace ws
