// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writing values into HDF5 files: overwriting whole datasets of an existing file (saving an
// edited Keras model, where every other object must stay exactly as it was) and creating a new
// file from scratch (exporting). Every call holds the library lock (hdf5_library.h).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "containers/hdf5/hdf5_library.h"
#include "io/byte_source.h"
#include "model/dtype.h"

namespace ws::h5 {

// An HDF5 file open for writing whose close is checked: a Handle's release cannot report
// errors, and a full disk or a file size limit often shows only when the metadata cache is
// written out. The destructor closes without checking (the error path).
class WritableFile {
  public:
    // Takes the result of H5Fopen/H5Fcreate; throws via fail(what) when it failed.
    WritableFile(hid_t id, const std::string& what);
    ~WritableFile();
    WritableFile(const WritableFile&) = delete;
    WritableFile& operator=(const WritableFile&) = delete;

    hid_t id() const { return id_; }
    // Flushes and closes; throws FormatError("cannot flush/close <name>: ...").
    void close(const std::string& name);

  private:
    hid_t id_;
};

// File access properties for writing: no file locking, close refused while objects are open.
Handle writableAccessList();

// New bytes for one whole dataset, in the dataset's own file type and byte order (what the
// reader delivered and the editor changed).
struct DatasetBytes {
    std::string path;  // without the leading '/'
    const ByteSource* bytes = nullptr;
};

// Opens the HDF5 file at `filePath` read-write and overwrites the listed datasets in place
// with H5Dwrite, so their type, shape, chunking and filters stay what they were and nothing
// else in the file is touched. Meant for contiguous, unfiltered datasets, which are rewritten
// where they are and never grow the file: a failed write that grows it (a size limit, a full
// disk) leaves libhdf5 1.10 with a half-closed dataset that crashes it at exit. Throws FormatError
// naming the dataset or the failed step.
void overwriteDatasetsInFile(const std::string& filePath, const std::vector<DatasetBytes>& writes);

// The same on a file image in memory (the model.weights.h5 entry of a .keras archive, or an
// .h5 file whose edited datasets are chunked or filtered); returns the new image.
std::vector<std::uint8_t> overwriteDatasetsInImage(const ByteSource& image,
                                                   const std::vector<DatasetBytes>& writes);

// A new HDF5 file built in memory (core driver, no backing store) by `fill`, returned as its
// bytes; the caller writes them out, so a full disk fails in our writer, never in libhdf5.
// `sizeHint`: about how many bytes the file will have (one allocation instead of many).
std::vector<std::uint8_t> buildImage(const std::function<void(hid_t file)>& fill,
                                     std::uint64_t sizeHint);

// The HDF5 file type h5py uses for a NumPy dtype: IEEE little-endian floats (f16 built the
// way h5py builds it), little-endian integers, bool as the enum {FALSE=0, TRUE=1} over int8.
// BF16 has no h5py type and is refused (callers widen it first).
Handle fileTypeFor(DType dtype);

}  // namespace ws::h5
