// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An open, read-only HDF5 file: from a path (the sec2 driver, used for .h5 files on disk) or
// from bytes already in memory (the core driver over a file image, used for the
// model.weights.h5 entry of a .keras zip; the image is never copied).
#include <cstdint>
#include <memory>
#include <string>

#include "containers/hdf5/hdf5_library.h"
#include "io/byte_source.h"

namespace ws::h5 {

class File {
  public:
    // `bytes` are the same file's bytes (memory-mapped): the superblock is checked against
    // them before libhdf5 sees the file, and contiguous datasets become windows into them.
    static std::shared_ptr<File> openPath(const std::string& path, ByteSourcePtr bytes);
    // Opens `image` in place; when it has no direct pointer it is read into memory first.
    static std::shared_ptr<File> openImage(ByteSourcePtr image);

    ~File();
    File(const File&) = delete;
    File& operator=(const File&) = delete;

    hid_t id() const { return handle_.get(); }
    // The bytes dataset offsets (H5Dget_offset) refer to.
    const ByteSourcePtr& bytes() const { return bytes_; }

  private:
    File() = default;
    ByteSourcePtr bytes_;
    struct ImageCallbacks;
    std::unique_ptr<ImageCallbacks> image_;
    Handle handle_;
};

// Reads the superblock: throws FormatError when there is none or when its end-of-file
// address lies beyond the real size (a truncated copy). Returns the superblock version.
int checkSuperblock(const ByteSource& bytes);

}  // namespace ws::h5
