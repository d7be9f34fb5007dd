// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns the object pickle of a legacy torch.save file into the data.pkl of a zip archive.
// The two differ only in their persistent ids:
//   legacy ('storage', cls, key, location, numel, view_metadata)  -> zip: the first five
//   legacy ('module', cls, source_file, source)                   -> zip: the class itself
// The pickle is patched at the opcode level, never decoded and re-encoded, so everything else
// (memo, classes, state) stays as torch wrote it: a POP drops view_metadata before the tuple
// is built, and a module id keeps the opcodes of its four items but pops all except the class,
// which is left where the persistent id was (a plain GLOBAL, as torch's zip pickles have it).
#include <cstdint>
#include <vector>

namespace ws {

// Throws FormatError when a storage is a view of a larger one (view_metadata not None: its
// offsets would change meaning) or a persistent id has a shape torch never wrote.
std::vector<std::uint8_t> legacyPickleToZipPickle(const std::uint8_t* data, std::size_t size);

}  // namespace ws
