// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Lazy access to a run of bytes: a region of a memory-mapped file, a zip entry, an HDF5 dataset,
// or a buffer in memory. Readers create these at open time without touching the bytes; tensor
// data is only read when a view, statistic or export asks for it.
#include <cstdint>
#include <memory>
#include <vector>

namespace ws {

class ByteSource {
  public:
    virtual ~ByteSource() = default;
    virtual std::uint64_t size() const = 0;
    // Copies n bytes starting at offset into dst. Throws FormatError when the range is outside
    // the source or the underlying file cannot deliver it (truncated, unreadable).
    virtual void read(std::uint64_t offset, void* dst, std::size_t n) const = 0;
    // A direct pointer to all bytes when they are already in memory (mmap or buffer), else null.
    virtual const std::uint8_t* data() const { return nullptr; }

    std::vector<std::uint8_t> readAll() const;
};

using ByteSourcePtr = std::shared_ptr<const ByteSource>;

// A buffer owned in memory (decoded pickles' byte strings, inflated zip entries, tests).
class MemoryByteSource : public ByteSource {
  public:
    explicit MemoryByteSource(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
    std::uint64_t size() const override { return bytes_.size(); }
    void read(std::uint64_t offset, void* dst, std::size_t n) const override;
    const std::uint8_t* data() const override { return bytes_.data(); }

  private:
    std::vector<std::uint8_t> bytes_;
};

// A window [offset, offset+length) of another source, e.g. one storage inside a mapped archive.
class SubByteSource : public ByteSource {
  public:
    SubByteSource(ByteSourcePtr parent, std::uint64_t offset, std::uint64_t length);
    std::uint64_t size() const override { return length_; }
    void read(std::uint64_t offset, void* dst, std::size_t n) const override;
    const std::uint8_t* data() const override;
    // Where the window lies, so a writer can find a storage's bytes in the file it came from.
    const ByteSourcePtr& parent() const { return parent_; }
    std::uint64_t offset() const { return offset_; }

  private:
    ByteSourcePtr parent_;
    std::uint64_t offset_;
    std::uint64_t length_;
};

}  // namespace ws
