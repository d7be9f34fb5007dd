// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A read-only zip archive over a ByteSource: parses the central directory (ZIP64 included) at
// construction; entry bytes are read only when opened. Stored entries are windows into the
// file (no copy); deflated ones are inflated on open.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/byte_source.h"

namespace ws {

struct ZipEntry {
    std::string name;
    std::uint16_t method = 0;  // 0 stored, 8 deflated
    std::uint32_t crc32 = 0;
    std::uint64_t compressedSize = 0;
    std::uint64_t uncompressedSize = 0;
    std::uint64_t localHeaderOffset = 0;
};

class ZipArchive {
  public:
    // Throws FormatError when the archive is truncated or its directory is inconsistent.
    explicit ZipArchive(ByteSourcePtr file);

    const std::vector<ZipEntry>& entries() const { return entries_; }
    const ZipEntry* find(const std::string& name) const;
    // The first entry whose name ends with "/" + suffix or equals suffix (torch archives put
    // everything under one folder of any name).
    const ZipEntry* findSuffix(const std::string& suffix) const;
    // Entry bytes: stored entries as a window into the file, deflated ones inflated in memory.
    // Throws FormatError when the local header or data is damaged or outside the file.
    ByteSourcePtr open(const ZipEntry& entry) const;
    // Offset of the entry's data in the archive file (after the local header).
    std::uint64_t dataOffset(const ZipEntry& entry) const;
    const ByteSourcePtr& file() const { return file_; }

  private:
    ByteSourcePtr file_;
    std::vector<ZipEntry> entries_;
    // name -> index in entries_: torch archives hold one entry per storage and readers look
    // each one up, which would be quadratic with a linear search.
    std::unordered_map<std::string, std::size_t> byName_;
};

}  // namespace ws
