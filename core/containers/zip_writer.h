// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writes a zip archive the way torch.save lays one out: entries in the order given, each
// entry's data starting at a multiple of 64 bytes when asked (the local header's extra field
// is padded with an "FB" record of 'Z's, as torch does), CRC-32 in the local and central
// headers, ZIP64 records whenever a size, an offset or the entry count needs them.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/atomic_file.h"

namespace ws {

class ZipWriter {
  public:
    // Called with pieces of an entry's bytes, in order.
    using Sink = std::function<void(const void* data, std::size_t n)>;
    using Producer = std::function<void(const Sink& sink)>;

    explicit ZipWriter(AtomicFile& out) : out_(out) {}

    // A stored (uncompressed) entry of exactly `size` bytes; the CRC is computed as they pass.
    void addStored(const std::string& name, std::uint64_t size, bool align64,
                   const Producer& produce);
    void addStored(const std::string& name, const std::vector<std::uint8_t>& bytes,
                   bool align64 = true);
    // An entry copied without recompressing: `produce` delivers exactly compressedSize bytes
    // that belong to `method` with the given CRC and uncompressed size.
    void addRaw(const std::string& name, std::uint16_t method, std::uint32_t crc,
                std::uint64_t compressedSize, std::uint64_t uncompressedSize, bool align64,
                const Producer& produce);
    // Writes the central directory and end records. The caller then commits the AtomicFile.
    void finish();

    // Tests: write ZIP64 records even when nothing needs them.
    void setForceZip64(bool on) { forceZip64_ = on; }

  private:
    struct Written {
        std::string name;
        std::uint16_t method = 0;
        std::uint32_t crc = 0;
        std::uint64_t compressedSize = 0, uncompressedSize = 0, headerOffset = 0;
    };
    // Writes the local header; returns the offset of its CRC field.
    std::uint64_t writeLocalHeader(const Written& w, bool align64);
    void writeData(std::uint64_t expected, const Producer& produce, std::uint32_t* crc,
                   const std::string& name);

    AtomicFile& out_;
    std::vector<Written> entries_;
    bool forceZip64_ = false;
    bool finished_ = false;
};

std::uint32_t crc32Update(std::uint32_t crc, const void* data, std::size_t n);

}  // namespace ws
