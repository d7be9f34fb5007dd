// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/zip_writer.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "model/error.h"

namespace ws {

namespace {

constexpr std::uint32_t kMax32 = 0xFFFFFFFFu;
constexpr std::uint16_t kDosDate1980 = 0x0021;             // 1980-01-01, what torch writes
constexpr std::uint16_t kVersion20 = 20, kVersion45 = 45;  // 45: ZIP64

class Bytes {
  public:
    std::vector<std::uint8_t> b;
    void u16(std::uint64_t v) {
        for (int i = 0; i < 2; ++i) b.push_back(std::uint8_t(v >> (8 * i)));
    }
    void u32(std::uint64_t v) {
        for (int i = 0; i < 4; ++i) b.push_back(std::uint8_t(v >> (8 * i)));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) b.push_back(std::uint8_t(v >> (8 * i)));
    }
    void str(const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }
};

bool isAscii(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return (unsigned char)c < 0x80; });
}

}  // namespace

std::uint32_t crc32Update(std::uint32_t crc, const void* data, std::size_t n) {
    const Bytef* p = static_cast<const Bytef*>(data);
    const std::size_t chunk = std::numeric_limits<uInt>::max();
    uLong c = crc;
    while (n) {
        const uInt step = uInt(std::min(n, chunk));
        c = ::crc32(c, p, step);
        p += step;
        n -= step;
    }
    return std::uint32_t(c);
}

std::uint64_t ZipWriter::writeLocalHeader(const Written& w, bool align64) {
    if (finished_) throw FormatError("zip: entry added after the directory was written");
    if (w.name.size() > 0xFFFF) throw FormatError("zip: entry name is too long: " + w.name);
    const bool zip64 = forceZip64_ || w.compressedSize >= kMax32 || w.uncompressedSize >= kMax32;
    Bytes extra;
    if (zip64) {
        extra.u16(0x0001);
        extra.u16(16);
        extra.u64(w.uncompressedSize);
        extra.u64(w.compressedSize);
    }
    if (align64) {
        // torch's padding record: id "FB", then 'Z's up to the next multiple of 64.
        const std::uint64_t end = out_.position() + 30 + w.name.size() + extra.b.size() + 4;
        const std::uint64_t pad = (64 - end % 64) % 64;
        extra.u16(0x4246);
        extra.u16(pad);
        extra.b.insert(extra.b.end(), std::size_t(pad), 'Z');
    }
    Bytes h;
    h.u32(0x04034b50);
    h.u16(zip64 ? kVersion45 : kVersion20);
    h.u16(isAscii(w.name) ? 0 : 0x0800);  // bit 11: the name is UTF-8
    h.u16(w.method);
    h.u16(0);  // time
    h.u16(kDosDate1980);
    const std::uint64_t crcAt = out_.position() + h.b.size();
    h.u32(w.crc);
    h.u32(zip64 ? kMax32 : w.compressedSize);
    h.u32(zip64 ? kMax32 : w.uncompressedSize);
    h.u16(w.name.size());
    h.u16(extra.b.size());
    h.str(w.name);
    h.b.insert(h.b.end(), extra.b.begin(), extra.b.end());
    out_.write(h.b.data(), h.b.size());
    return crcAt;
}

void ZipWriter::writeData(std::uint64_t expected, const Producer& produce, std::uint32_t* crc,
                          const std::string& name) {
    std::uint64_t written = 0;
    std::uint32_t c = 0;
    produce([&](const void* data, std::size_t n) {
        if (n > expected - written)
            throw FormatError("zip: entry '" + name + "' got more bytes than announced");
        out_.write(data, n);
        if (crc) c = crc32Update(c, data, n);
        written += n;
    });
    if (written != expected)
        throw FormatError("zip: entry '" + name + "' got " + std::to_string(written) +
                          " bytes instead of " + std::to_string(expected));
    if (crc) *crc = c;
}

void ZipWriter::addStored(const std::string& name, std::uint64_t size, bool align64,
                          const Producer& produce) {
    Written w;
    w.name = name;
    w.compressedSize = w.uncompressedSize = size;
    w.headerOffset = out_.position();
    const std::uint64_t crcAt = writeLocalHeader(w, align64);
    writeData(size, produce, &w.crc, name);
    // The CRC is known only now: patch it into the local header (no data descriptor needed).
    Bytes crc;
    crc.u32(w.crc);
    out_.writeAt(crcAt, crc.b.data(), 4);
    entries_.push_back(std::move(w));
}

void ZipWriter::addStored(const std::string& name, const std::vector<std::uint8_t>& bytes,
                          bool align64) {
    addStored(name, bytes.size(), align64,
              [&](const Sink& sink) { sink(bytes.data(), bytes.size()); });
}

void ZipWriter::addRaw(const std::string& name, std::uint16_t method, std::uint32_t crc,
                       std::uint64_t compressedSize, std::uint64_t uncompressedSize, bool align64,
                       const Producer& produce) {
    Written w;
    w.name = name;
    w.method = method;
    w.crc = crc;
    w.compressedSize = compressedSize;
    w.uncompressedSize = uncompressedSize;
    w.headerOffset = out_.position();
    writeLocalHeader(w, align64);
    writeData(compressedSize, produce, nullptr, name);
    entries_.push_back(std::move(w));
}

void ZipWriter::finish() {
    if (finished_) return;
    finished_ = true;
    const std::uint64_t directoryOffset = out_.position();
    bool anyZip64 = forceZip64_;
    Bytes dir;
    for (const Written& w : entries_) {
        const bool bigU = forceZip64_ || w.uncompressedSize >= kMax32;
        const bool bigC = forceZip64_ || w.compressedSize >= kMax32;
        const bool bigO = forceZip64_ || w.headerOffset >= kMax32;
        Bytes extra;
        if (bigU || bigC || bigO) {
            anyZip64 = true;
            extra.u16(0x0001);
            extra.u16(8 * (int(bigU) + int(bigC) + int(bigO)));
            if (bigU) extra.u64(w.uncompressedSize);
            if (bigC) extra.u64(w.compressedSize);
            if (bigO) extra.u64(w.headerOffset);
        }
        const bool zip64 = !extra.b.empty();
        dir.u32(0x02014b50);
        dir.u16((3 << 8) | (zip64 ? kVersion45 : kVersion20));  // made by: Unix
        dir.u16(zip64 ? kVersion45 : kVersion20);
        dir.u16(isAscii(w.name) ? 0 : 0x0800);
        dir.u16(w.method);
        dir.u16(0);
        dir.u16(kDosDate1980);
        dir.u32(w.crc);
        dir.u32(bigC ? kMax32 : w.compressedSize);
        dir.u32(bigU ? kMax32 : w.uncompressedSize);
        dir.u16(w.name.size());
        dir.u16(extra.b.size());
        dir.u16(0);               // comment
        dir.u16(0);               // disk
        dir.u16(0);               // internal attributes
        dir.u32(0100644u << 16);  // external: a regular file, rw-r--r--
        dir.u32(bigO ? kMax32 : w.headerOffset);
        dir.str(w.name);
        dir.b.insert(dir.b.end(), extra.b.begin(), extra.b.end());
    }
    out_.write(dir.b.data(), dir.b.size());
    const std::uint64_t directorySize = dir.b.size();
    const std::uint64_t count = entries_.size();
    anyZip64 = anyZip64 || count >= 0xFFFF || directorySize >= kMax32 || directoryOffset >= kMax32;

    Bytes end;
    if (anyZip64) {
        const std::uint64_t recordOffset = out_.position();
        end.u32(0x06064b50);
        end.u64(44);  // size of the rest of this record
        end.u16((3 << 8) | kVersion45);
        end.u16(kVersion45);
        end.u32(0);
        end.u32(0);
        end.u64(count);
        end.u64(count);
        end.u64(directorySize);
        end.u64(directoryOffset);
        end.u32(0x07064b50);  // locator
        end.u32(0);
        end.u64(recordOffset);
        end.u32(1);
    }
    end.u32(0x06054b50);
    end.u16(0);
    end.u16(0);
    end.u16(anyZip64 ? 0xFFFF : count);
    end.u16(anyZip64 ? 0xFFFF : count);
    end.u32(anyZip64 ? kMax32 : directorySize);
    end.u32(anyZip64 ? kMax32 : directoryOffset);
    end.u16(0);
    out_.write(end.b.data(), end.b.size());
}

}  // namespace ws
