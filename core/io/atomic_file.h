// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A file that appears at its destination only when complete: bytes go to a temporary file in
// the destination's folder (same file system, so the final rename is atomic), which is synced,
// renamed over the destination and followed by a sync of the folder. On any failure, or when
// the object is destroyed without commit(), the temporary file is removed and the destination
// is left as it was. Writing over a file that is open or memory-mapped is safe: the old inode
// lives on for whoever still maps it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ws {

class AtomicFile {
  public:
    // Creates the temporary file. Throws IoError("<what>: <errno text>") naming the path.
    explicit AtomicFile(const std::string& path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    // Appends n bytes. Throws FormatError on a short or failed write (disk full, EFBIG, ...).
    void write(const void* data, std::size_t n);
    // Overwrites bytes already written (a zip local header's CRC once the data is known).
    void writeAt(std::uint64_t offset, const void* data, std::size_t n);
    // Bytes appended so far: the offset of the next write().
    std::uint64_t position() const { return position_; }
    // Syncs, renames over the destination and syncs the folder. Throws FormatError on failure
    // (the temporary file is then removed).
    void commit();

    const std::string& path() const { return path_; }
    const std::string& tempPath() const { return temp_; }

  private:
    [[noreturn]] void fail(const std::string& what, int err);

    std::string path_, dir_, temp_;
    int fd_ = -1;
    std::uint64_t position_ = 0;
};

// The temporary files an AtomicFile for `path` may have left when its process was killed
// before commit() or the destructor ran: ".<name>.tmp-XXXXXX" beside it. Whoever knows that a
// save of `path` was interrupted (the crash journal) may remove them.
std::vector<std::string> leftoverTemporaryFiles(const std::string& path);

}  // namespace ws
