// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Dataset metadata and lazy access to dataset bytes. Opening reads no values: a contiguous,
// unfiltered dataset becomes a window into the file's bytes (zero copy); anything else
// (chunked, compressed, compact, not yet allocated) is read with H5Dread on first access.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "containers/hdf5/hdf5_file.h"
#include "containers/hdf5/hdf5_types.h"
#include "model/tensor.h"

namespace ws::h5 {

struct DatasetInfo {
    std::string path;  // without the leading '/'
    ElementType type;
    std::size_t elementSize = 0;
    bool scalar = false;  // scalar dataspace: shape () with one element
    bool null = false;    // null dataspace: no elements at all
    std::vector<std::uint64_t> shape;
    std::uint64_t elementCount = 0;
    std::string layout;  // "contiguous", "chunked", "compact", "virtual"
    std::vector<std::uint64_t> chunkShape;
    std::vector<std::string> filters;  // "deflate", "shuffle", "fletcher32", ...
    bool hasFileOffset = false;        // contiguous, unfiltered, allocated
    std::uint64_t fileOffset = 0;
    std::uint64_t storageSize = 0;  // bytes allocated in the file

    std::uint64_t byteCount() const { return elementCount * elementSize; }
};

// Reads a dataset's metadata (no values). Throws FormatError naming the dataset.
DatasetInfo describeDataset(hid_t dataset, const std::string& path);

// A tensor over the dataset's bytes in file byte order (Tensor::bigEndian set accordingly).
// Requires info.type.dtype. The file stays open as long as the tensor's storage lives.
TensorPtr makeDatasetTensor(const std::shared_ptr<File>& file, const DatasetInfo& info);

}  // namespace ws::h5
