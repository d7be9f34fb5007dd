// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/zip.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "model/error.h"

namespace ws {

namespace {

constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::uint32_t kCentralHeaderSig = 0x02014b50;
constexpr std::uint32_t kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint16_t kZip64ExtraId = 0x0001;

constexpr std::uint64_t kEndSize = 22;
constexpr std::uint64_t kZip64LocatorSize = 20;
constexpr std::uint64_t kZip64EndSize = 56;
constexpr std::uint64_t kCentralHeaderSize = 46;
constexpr std::uint64_t kLocalHeaderSize = 30;
constexpr std::uint64_t kMaxCommentSize = 0xFFFF;
// Deflate cannot expand data by more than about 1032:1; a declared size beyond that is a lie
// and would only make us allocate memory for nothing.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

std::uint16_t le16(const std::uint8_t* p) { return std::uint16_t(p[0] | (p[1] << 8)); }
std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
           (std::uint32_t(p[3]) << 24);
}
std::uint64_t le64(const std::uint8_t* p) {
    return std::uint64_t(le32(p)) | (std::uint64_t(le32(p + 4)) << 32);
}

// True when [offset, offset+length) lies inside [0, limit); never overflows.
bool fits(std::uint64_t offset, std::uint64_t length, std::uint64_t limit) {
    return offset <= limit && length <= limit - offset;
}

std::vector<std::uint8_t> readBytes(const ByteSource& src, std::uint64_t offset, std::uint64_t n,
                                    const char* what) {
    if (!fits(offset, n, src.size()))
        throw FormatError(std::string("zip: ") + what + " at offset " + std::to_string(offset) +
                          " lies outside the file (" + std::to_string(src.size()) + " bytes)");
    std::vector<std::uint8_t> out(static_cast<std::size_t>(n));
    if (n) src.read(offset, out.data(), out.size());
    return out;
}

struct EndRecord {
    std::uint64_t position = 0;  // where the (ZIP64) end record starts: the directory ends before
    std::uint64_t entryCount = 0;
    std::uint64_t directorySize = 0;
    std::uint64_t directoryOffset = 0;
};

// The end-of-central-directory record sits in the last 22 + up to 65535 (comment) bytes.
// Scanning backwards finds the last signature whose comment fits in the bytes after it.
EndRecord findEndRecord(const ByteSource& file) {
    const std::uint64_t size = file.size();
    if (size < kEndSize)
        throw FormatError("zip: file of " + std::to_string(size) +
                          " bytes is too small to be a zip archive");
    const std::uint64_t tailSize = std::min(size, kEndSize + kMaxCommentSize);
    const std::uint64_t tailStart = size - tailSize;
    std::vector<std::uint8_t> tail = readBytes(file, tailStart, tailSize, "end of archive");

    for (std::uint64_t i = tailSize - kEndSize + 1; i-- > 0;) {
        const std::uint8_t* p = tail.data() + i;
        if (le32(p) != kEndSig) continue;
        const std::uint64_t commentLength = le16(p + 20);
        // A shorter comment than the bytes left is tolerated (some tools pad), a longer one not.
        if (i + kEndSize + commentLength > tailSize) continue;

        EndRecord end;
        end.position = tailStart + i;
        const std::uint16_t diskNumber = le16(p + 4);
        const std::uint16_t directoryDisk = le16(p + 6);
        const std::uint16_t entriesOnDisk = le16(p + 8);
        const std::uint16_t totalEntries = le16(p + 10);
        end.entryCount = totalEntries;
        end.directorySize = le32(p + 12);
        end.directoryOffset = le32(p + 16);
        if (entriesOnDisk != totalEntries || (diskNumber != 0 && diskNumber != 0xFFFF) ||
            (directoryDisk != 0 && directoryDisk != 0xFFFF))
            throw FormatError("zip: multi-disk (spanned) archives are not supported");

        // ZIP64: a locator right before the end record points at the 64-bit end record.
        if (end.position >= kZip64LocatorSize) {
            std::vector<std::uint8_t> loc = readBytes(file, end.position - kZip64LocatorSize,
                                                      kZip64LocatorSize, "ZIP64 locator");
            if (le32(loc.data()) == kZip64LocatorSig) {
                const std::uint64_t recordOffset = le64(loc.data() + 8);
                if (le32(loc.data() + 16) > 1)
                    throw FormatError("zip: multi-disk (spanned) archives are not supported");
                if (!fits(recordOffset, kZip64EndSize, end.position - kZip64LocatorSize))
                    throw FormatError("zip: ZIP64 end record offset " +
                                      std::to_string(recordOffset) + " lies outside the file");
                std::vector<std::uint8_t> rec =
                    readBytes(file, recordOffset, kZip64EndSize, "ZIP64 end record");
                if (le32(rec.data()) != kZip64EndSig)
                    throw FormatError("zip: no ZIP64 end record at offset " +
                                      std::to_string(recordOffset));
                if (le32(rec.data() + 16) != 0 || le32(rec.data() + 20) != 0 ||
                    le64(rec.data() + 24) != le64(rec.data() + 32))
                    throw FormatError("zip: multi-disk (spanned) archives are not supported");
                end.position = recordOffset;
                end.entryCount = le64(rec.data() + 32);
                end.directorySize = le64(rec.data() + 40);
                end.directoryOffset = le64(rec.data() + 48);
            } else if (totalEntries == 0xFFFF || end.directorySize == 0xFFFFFFFF ||
                       end.directoryOffset == 0xFFFFFFFF) {
                throw FormatError(
                    "zip: the end record needs ZIP64 values but there is no ZIP64 locator");
            }
        }
        return end;
    }
    throw FormatError("zip: no end-of-central-directory record (truncated or not a zip archive)");
}

// Replaces the 0xFFFF... placeholders of a central entry with the values of its ZIP64 extra
// field, which lists only the placeholders, in this fixed order.
void applyZip64Extra(ZipEntry& entry, const std::uint8_t* extra, std::size_t extraLength,
                     bool needUncompressed, bool needCompressed, bool needOffset) {
    std::size_t at = 0;
    while (at + 4 <= extraLength) {
        const std::uint16_t id = le16(extra + at);
        const std::size_t length = le16(extra + at + 2);
        at += 4;
        if (length > extraLength - at)
            throw FormatError("zip: entry '" + entry.name + "' has a truncated extra field");
        if (id == kZip64ExtraId) {
            const std::uint8_t* p = extra + at;
            std::size_t left = length;
            auto take = [&](std::uint64_t& field) {
                if (left < 8)
                    throw FormatError("zip: entry '" + entry.name +
                                      "' has a short ZIP64 extra field");
                field = le64(p);
                p += 8;
                left -= 8;
            };
            if (needUncompressed) take(entry.uncompressedSize);
            if (needCompressed) take(entry.compressedSize);
            if (needOffset) take(entry.localHeaderOffset);
            return;
        }
        at += length;
    }
    throw FormatError("zip: entry '" + entry.name + "' needs a ZIP64 extra field but has none");
}

}  // namespace

ZipArchive::ZipArchive(ByteSourcePtr file) : file_(std::move(file)) {
    if (!file_) throw FormatError("zip: no data");
    const EndRecord end = findEndRecord(*file_);
    if (!fits(end.directoryOffset, end.directorySize, end.position))
        throw FormatError("zip: central directory (offset " + std::to_string(end.directoryOffset) +
                          ", " + std::to_string(end.directorySize) +
                          " bytes) lies outside the file or overlaps its end record");
    // Every entry takes at least 46 bytes, which bounds any believable count.
    if (end.entryCount > end.directorySize / kCentralHeaderSize)
        throw FormatError("zip: central directory claims " + std::to_string(end.entryCount) +
                          " entries but has only " + std::to_string(end.directorySize) + " bytes");

    std::vector<std::uint8_t> dir =
        readBytes(*file_, end.directoryOffset, end.directorySize, "central directory");
    const std::uint64_t fileSize = file_->size();
    entries_.reserve(static_cast<std::size_t>(end.entryCount));
    std::size_t at = 0;
    for (std::uint64_t i = 0; i < end.entryCount; ++i) {
        if (dir.size() - at < kCentralHeaderSize || le32(dir.data() + at) != kCentralHeaderSig)
            throw FormatError("zip: central directory entry " + std::to_string(i) +
                              " is damaged (bad signature or truncated)");
        const std::uint8_t* h = dir.data() + at;
        const std::uint16_t flags = le16(h + 8);
        const std::size_t nameLength = le16(h + 28);
        const std::size_t extraLength = le16(h + 30);
        const std::size_t commentLength = le16(h + 32);
        const std::size_t recordLength =
            kCentralHeaderSize + nameLength + extraLength + commentLength;
        if (dir.size() - at < recordLength)
            throw FormatError("zip: central directory entry " + std::to_string(i) +
                              " is truncated");

        ZipEntry entry;
        entry.name.assign(reinterpret_cast<const char*>(h + kCentralHeaderSize), nameLength);
        entry.method = le16(h + 10);
        entry.crc32 = le32(h + 16);
        entry.compressedSize = le32(h + 20);
        entry.uncompressedSize = le32(h + 24);
        entry.localHeaderOffset = le32(h + 42);
        const bool needUncompressed = entry.uncompressedSize == 0xFFFFFFFF;
        const bool needCompressed = entry.compressedSize == 0xFFFFFFFF;
        const bool needOffset = entry.localHeaderOffset == 0xFFFFFFFF;
        if (needUncompressed || needCompressed || needOffset)
            applyZip64Extra(entry, h + kCentralHeaderSize + nameLength, extraLength,
                            needUncompressed, needCompressed, needOffset);
        at += recordLength;

        if (flags & 0x0001) throw FormatError("zip: entry '" + entry.name + "' is encrypted");
        if (!fits(entry.localHeaderOffset, kLocalHeaderSize, end.directoryOffset) ||
            !fits(entry.localHeaderOffset, entry.compressedSize, fileSize))
            throw FormatError("zip: entry '" + entry.name + "' (local header at offset " +
                              std::to_string(entry.localHeaderOffset) + ", " +
                              std::to_string(entry.compressedSize) +
                              " bytes) lies outside the archive data");
        if (!byName_.emplace(entry.name, entries_.size()).second)
            throw FormatError("zip: entry '" + entry.name + "' appears twice");
        entries_.push_back(std::move(entry));
    }
}

const ZipEntry* ZipArchive::find(const std::string& name) const {
    auto it = byName_.find(name);
    return it == byName_.end() ? nullptr : &entries_[it->second];
}

const ZipEntry* ZipArchive::findSuffix(const std::string& suffix) const {
    for (const ZipEntry& e : entries_) {
        if (e.name == suffix) return &e;
        if (e.name.size() > suffix.size() &&
            e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
            e.name[e.name.size() - suffix.size() - 1] == '/')
            return &e;
    }
    return nullptr;
}

std::uint64_t ZipArchive::dataOffset(const ZipEntry& entry) const {
    std::vector<std::uint8_t> h =
        readBytes(*file_, entry.localHeaderOffset, kLocalHeaderSize, "local header");
    if (le32(h.data()) != kLocalHeaderSig)
        throw FormatError("zip: entry '" + entry.name + "' has no local header at offset " +
                          std::to_string(entry.localHeaderOffset));
    // The local header has its own name/extra lengths, which may differ from the central ones.
    const std::uint64_t offset =
        entry.localHeaderOffset + kLocalHeaderSize + le16(h.data() + 26) + le16(h.data() + 28);
    if (!fits(offset, entry.compressedSize, file_->size()))
        throw FormatError("zip: data of entry '" + entry.name + "' (" +
                          std::to_string(entry.compressedSize) + " bytes at offset " +
                          std::to_string(offset) + ") runs past the end of the file");
    return offset;
}

static std::vector<std::uint8_t> inflateEntry(const ZipEntry& entry, const std::uint8_t* in,
                                              std::uint64_t inSize) {
    if (entry.uncompressedSize > inSize * kMaxDeflateRatio + 64)
        throw FormatError("zip: entry '" + entry.name + "' claims " +
                          std::to_string(entry.uncompressedSize) + " bytes from only " +
                          std::to_string(inSize) + " compressed bytes");
    if (entry.uncompressedSize > std::numeric_limits<std::size_t>::max())
        throw FormatError("zip: entry '" + entry.name + "' is too large for memory");
    std::vector<std::uint8_t> out(static_cast<std::size_t>(entry.uncompressedSize));

    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)  // raw deflate: zip has no zlib header
        throw FormatError("zip: cannot initialise zlib for entry '" + entry.name + "'");
    // zlib counts in uInt; feed and drain in chunks so entries above 4 GiB work too.
    const std::uint64_t chunk = std::numeric_limits<uInt>::max();
    std::uint64_t inLeft = inSize, outLeft = out.size();
    zs.next_in = const_cast<Bytef*>(in);
    zs.next_out = out.data();
    int rc = Z_OK;
    bool tooLong = false;
    std::uint8_t spare = 0;
    for (;;) {
        if (zs.avail_in == 0 && inLeft) {
            zs.avail_in = uInt(std::min(inLeft, chunk));
            inLeft -= zs.avail_in;
        }
        bool usingSpare = false;
        if (zs.avail_out == 0) {
            if (outLeft) {
                zs.avail_out = uInt(std::min(outLeft, chunk));
                outLeft -= zs.avail_out;
            } else {
                // The declared size is reached: a spare byte tells whether the stream goes on.
                zs.next_out = &spare;
                zs.avail_out = 1;
                usingSpare = true;
            }
        }
        rc = inflate(&zs, Z_NO_FLUSH);
        if (usingSpare && zs.avail_out == 0) {
            tooLong = true;
            break;
        }
        if (rc != Z_OK) break;  // Z_STREAM_END, a data error, or no progress possible
        if (zs.avail_in == 0 && inLeft == 0 && zs.avail_out != 0) {
            rc = Z_BUF_ERROR;  // input exhausted before the end of the stream
            break;
        }
    }
    const std::uint64_t produced = zs.total_out;
    const std::string zlibMessage = zs.msg ? zs.msg : "the compressed stream ends early";
    inflateEnd(&zs);
    if (tooLong)
        throw FormatError("zip: entry '" + entry.name + "' inflates to more than its declared " +
                          std::to_string(entry.uncompressedSize) + " bytes");
    if (rc != Z_STREAM_END)
        throw FormatError("zip: entry '" + entry.name + "' has damaged compressed data (" +
                          zlibMessage + ")");
    if (produced != entry.uncompressedSize)
        throw FormatError("zip: entry '" + entry.name + "' inflates to " +
                          std::to_string(produced) + " bytes instead of the declared " +
                          std::to_string(entry.uncompressedSize));
    return out;
}

static std::uint32_t crcOf(const std::uint8_t* p, std::uint64_t n) {
    uLong crc = crc32(0L, Z_NULL, 0);
    const std::uint64_t chunk = std::numeric_limits<uInt>::max();
    while (n) {
        const uInt step = uInt(std::min(n, chunk));
        crc = crc32(crc, p, step);
        p += step;
        n -= step;
    }
    return std::uint32_t(crc);
}

ByteSourcePtr ZipArchive::open(const ZipEntry& entry) const {
    const std::uint64_t offset = dataOffset(entry);
    if (entry.method == 0) {
        if (entry.compressedSize != entry.uncompressedSize)
            throw FormatError("zip: stored entry '" + entry.name + "' has compressed size " +
                              std::to_string(entry.compressedSize) + " but uncompressed size " +
                              std::to_string(entry.uncompressedSize));
        // No CRC check here: that would read the whole entry, and stored entries stay lazy.
        return std::make_shared<SubByteSource>(file_, offset, entry.compressedSize);
    }
    if (entry.method != 8)
        throw FormatError("zip: entry '" + entry.name + "' uses unsupported compression method " +
                          std::to_string(entry.method));

    std::vector<std::uint8_t> buffer;
    const std::uint8_t* compressed = nullptr;
    if (const std::uint8_t* base = file_->data()) {
        compressed = base + offset;
    } else {
        buffer = readBytes(*file_, offset, entry.compressedSize, "compressed data");
        compressed = buffer.data();
    }
    std::vector<std::uint8_t> out = inflateEntry(entry, compressed, entry.compressedSize);
    if (crcOf(out.data(), out.size()) != entry.crc32)
        throw FormatError("zip: entry '" + entry.name + "' fails its CRC-32 check");
    return std::make_shared<MemoryByteSource>(std::move(out));
}

}  // namespace ws
