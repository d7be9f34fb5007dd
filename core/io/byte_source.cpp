// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/byte_source.h"

#include <cstring>
#include <string>

#include "model/error.h"

namespace ws {

std::vector<std::uint8_t> ByteSource::readAll() const {
    std::vector<std::uint8_t> out(size());
    if (!out.empty()) read(0, out.data(), out.size());
    return out;
}

static void checkRange(std::uint64_t offset, std::size_t n, std::uint64_t size) {
    if (offset > size || n > size - offset)
        throw FormatError("read of " + std::to_string(n) + " bytes at offset " +
                          std::to_string(offset) + " is beyond the end of the data (" +
                          std::to_string(size) + " bytes)");
}

void MemoryByteSource::read(std::uint64_t offset, void* dst, std::size_t n) const {
    checkRange(offset, n, bytes_.size());
    if (n) std::memcpy(dst, bytes_.data() + offset, n);
}

SubByteSource::SubByteSource(ByteSourcePtr parent, std::uint64_t offset, std::uint64_t length)
    : parent_(std::move(parent)), offset_(offset), length_(length) {
    checkRange(offset, length, parent_->size());
}

void SubByteSource::read(std::uint64_t offset, void* dst, std::size_t n) const {
    checkRange(offset, n, length_);
    parent_->read(offset_ + offset, dst, n);
}

const std::uint8_t* SubByteSource::data() const {
    const std::uint8_t* p = parent_->data();
    return p ? p + offset_ : nullptr;
}

}  // namespace ws
