// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/detect.h"

#include <cctype>
#include <cstring>
#include <string>

namespace ws {

static bool startsWith(const ByteSource& f, std::uint64_t at, const char* magic, std::size_t n) {
    if (f.size() < at + n) return false;
    char buf[16];
    f.read(at, buf, n);
    return std::memcmp(buf, magic, n) == 0;
}

Container detectContainer(const ByteSource& file) {
    // HDF5 allows a user block of 0, 512, 1024, 2048... bytes before the signature.
    for (std::uint64_t at = 0; at < file.size() && at <= (1u << 20); at = at ? at * 2 : 512)
        if (startsWith(file, at, "\x89HDF\r\n\x1a\n", 8)) return Container::Hdf5;
    if (startsWith(file, 0, "PK\x03\x04", 4) || startsWith(file, 0, "PK\x05\x06", 4))
        return Container::Zip;
    // Legacy torch.save: a pickle (protocol 2) whose first object is the magic number
    // 0x1950a86a20f9469cfc6c as a LONG1 of 10 bytes.
    if (startsWith(file, 0, "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 14))
        return Container::TorchLegacy;
    // safetensors: u64 little-endian header length, then a JSON object.
    if (file.size() >= 10) {
        unsigned char head[9];
        file.read(0, head, 9);
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i) n = (n << 8) | head[i];
        if (head[8] == '{' && n >= 2 && n <= file.size() - 8) return Container::Safetensors;
    }
    return Container::Unknown;
}

std::string describeUnknownContent(const ByteSource& file) {
    if (file.size() == 0) return "the file is empty";
    std::size_t n = std::size_t(std::min<std::uint64_t>(file.size(), 8));
    unsigned char buf[8];
    file.read(0, buf, n);
    std::string hex, text;
    static const char* digits = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i) {
        if (i) hex += ' ';
        hex += digits[buf[i] >> 4];
        hex += digits[buf[i] & 15];
        text += std::isprint(buf[i]) ? char(buf[i]) : '.';
    }
    return "unrecognised content (starts with " + hex + " \"" + text + "\")";
}

}  // namespace ws
