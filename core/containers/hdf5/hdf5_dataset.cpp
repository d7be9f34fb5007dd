// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/hdf5/hdf5_dataset.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "model/error.h"

namespace ws::h5 {

static std::string filterName(H5Z_filter_t id, const char* reported) {
    switch (id) {
        case H5Z_FILTER_DEFLATE:
            return "deflate";
        case H5Z_FILTER_SHUFFLE:
            return "shuffle";
        case H5Z_FILTER_FLETCHER32:
            return "fletcher32";
        case H5Z_FILTER_SZIP:
            return "szip";
        case H5Z_FILTER_NBIT:
            return "nbit";
        case H5Z_FILTER_SCALEOFFSET:
            return "scaleoffset";
        case 32001:
            return "blosc";
        case 32004:
            return "lz4";
        case 32015:
            return "zstd";
        default:
            return reported && *reported ? std::string(reported) : "filter " + std::to_string(id);
    }
}

DatasetInfo describeDataset(hid_t dataset, const std::string& path) {
    Lock lock;
    const std::string where = "dataset '/" + path + "'";
    DatasetInfo info;
    info.path = path;
    Handle type = checked(H5Dget_type(dataset), where + ": cannot read its type");
    info.type = classifyType(type.get());
    info.elementSize = H5Tget_size(type.get());
    if (info.elementSize == 0) fail(where + ": its type has size 0");

    Handle space = checked(H5Dget_space(dataset), where + ": cannot read its dataspace");
    switch (H5Sget_simple_extent_type(space.get())) {
        case H5S_SCALAR:
            info.scalar = true;
            info.elementCount = 1;
            break;
        case H5S_NULL:
            info.null = true;
            break;
        case H5S_SIMPLE:
            info.shape = readShape(space.get(), where);
            info.elementCount = checkedElementCount(info.shape, where);
            break;
        default:
            fail(where + ": invalid dataspace");
    }
    if (info.elementCount > (std::uint64_t(1) << 62) / info.elementSize)
        throw FormatError(where + ": it is too large");

    Handle dcpl =
        checked(H5Dget_create_plist(dataset), where + ": cannot read its creation properties");
    switch (H5Pget_layout(dcpl.get())) {
        case H5D_CONTIGUOUS:
            info.layout = "contiguous";
            break;
        case H5D_CHUNKED: {
            info.layout = "chunked";
            hsize_t dims[H5S_MAX_RANK];
            int rank = H5Pget_chunk(dcpl.get(), H5S_MAX_RANK, dims);
            for (int i = 0; i < rank; ++i) info.chunkShape.push_back(dims[i]);
            break;
        }
        case H5D_COMPACT:
            info.layout = "compact";
            break;
        case H5D_VIRTUAL:
            info.layout = "virtual";
            break;
        default:
            fail(where + ": unknown storage layout");
    }
    const int nfilters = H5Pget_nfilters(dcpl.get());
    for (int i = 0; i < nfilters; ++i) {
        unsigned flags = 0, config = 0;
        std::size_t nelems = 0;
        char name[64] = {0};
        H5Z_filter_t id = H5Pget_filter2(dcpl.get(), unsigned(i), &flags, &nelems, nullptr,
                                         sizeof name, name, &config);
        if (id < 0) fail(where + ": cannot read its filter pipeline");
        info.filters.push_back(filterName(id, name));
    }
    info.storageSize = H5Dget_storage_size(dataset);
    if (info.layout == "contiguous" && info.filters.empty()) {
        const haddr_t offset = H5Dget_offset(dataset);
        H5Eclear2(H5E_DEFAULT);  // HADDR_UNDEF (not allocated) is not an error for us
        if (offset != HADDR_UNDEF) {
            info.hasFileOffset = true;
            info.fileOffset = offset;
        }
    }
    return info;
}

namespace {

// Reads the whole dataset with H5Dread the first time any byte is asked for, then serves
// from memory. Used when the bytes are not one run in the file (chunked, filtered, compact).
class DatasetReadSource : public ByteSource {
  public:
    DatasetReadSource(std::shared_ptr<File> file, std::string path, std::uint64_t size)
        : file_(std::move(file)), path_(std::move(path)), size_(size) {}

    std::uint64_t size() const override { return size_; }

    void read(std::uint64_t offset, void* dst, std::size_t n) const override {
        const std::vector<std::uint8_t>& bytes = load();
        if (offset > bytes.size() || n > bytes.size() - offset)
            throw FormatError("dataset '/" + path_ + "': read beyond its " +
                              std::to_string(bytes.size()) + " bytes");
        if (n) std::memcpy(dst, bytes.data() + offset, n);
    }

  private:
    const std::vector<std::uint8_t>& load() const {
        std::lock_guard<std::mutex> guard(mutex_);
        if (loaded_) return bytes_;
        const std::string where = "dataset '/" + path_ + "'";
        Lock lock;
        Handle dataset = checked(H5Dopen2(file_->id(), ("/" + path_).c_str(), H5P_DEFAULT),
                                 "cannot open " + where);
        Handle type = checked(H5Dget_type(dataset.get()), where + ": cannot read its type");
        std::vector<std::uint8_t> bytes;
        try {
            bytes.resize(std::size_t(size_));
        } catch (const std::bad_alloc&) {
            throw FormatError(where + ": not enough memory to read " + std::to_string(size_) +
                              " bytes");
        }
        // Reading with the file's own type keeps the file byte order; Tensor::bigEndian
        // tells the consumers.
        if (size_ &&
            H5Dread(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0)
            fail("cannot read " + where);
        bytes_ = std::move(bytes);
        loaded_ = true;
        return bytes_;
    }

    std::shared_ptr<File> file_;
    std::string path_;
    std::uint64_t size_;
    mutable std::mutex mutex_;
    mutable bool loaded_ = false;
    mutable std::vector<std::uint8_t> bytes_;
};

// How many chunks cover the dataset (0 when it is not chunked), saturating instead of
// overflowing on absurd shapes.
std::uint64_t chunkCount(const DatasetInfo& info) {
    if (info.layout != "chunked" || info.chunkShape.size() != info.shape.size()) return 0;
    std::uint64_t count = 1;
    for (std::size_t i = 0; i < info.shape.size(); ++i) {
        const std::uint64_t edge = std::max<std::uint64_t>(info.chunkShape[i], 1);
        const std::uint64_t along = info.shape[i] / edge + (info.shape[i] % edge != 0);
        if (along != 0 && count > UINT64_MAX / along) return UINT64_MAX;
        count *= along;
    }
    return count;
}

// A window into the file's bytes that also keeps the HDF5 file (and so its image) alive.
class DatasetWindowSource : public SubByteSource {
  public:
    DatasetWindowSource(std::shared_ptr<File> file, std::uint64_t offset, std::uint64_t length)
        : SubByteSource(file->bytes(), offset, length), file_(std::move(file)) {}

  private:
    std::shared_ptr<File> file_;
};

}  // namespace

TensorPtr makeDatasetTensor(const std::shared_ptr<File>& file, const DatasetInfo& info) {
    if (!info.type.dtype)
        throw FormatError("dataset '/" + info.path + "' has no tensor type (" +
                          info.type.description + ")");
    auto tensor = std::make_shared<Tensor>();
    tensor->dtype = *info.type.dtype;
    for (std::uint64_t d : info.shape) tensor->shape.push_back(std::int64_t(d));
    tensor->bigEndian = info.type.bigEndian;
    tensor->storageKey = info.path;
    const std::uint64_t bytes = info.byteCount();
    if (bytes == 0) {
        tensor->storage = std::make_shared<MemoryByteSource>(std::vector<std::uint8_t>{});
    } else if (info.hasFileOffset) {
        if (info.storageSize != bytes)
            throw FormatError("dataset '/" + info.path + "': shape " + shapeText(info.shape) +
                              " needs " + std::to_string(bytes) + " bytes but " +
                              std::to_string(info.storageSize) + " are stored");
        const std::uint64_t size = file->bytes()->size();
        if (info.fileOffset > size || bytes > size - info.fileOffset)
            throw FormatError("dataset '/" + info.path + "': its " + std::to_string(bytes) +
                              " bytes at offset " + std::to_string(info.fileOffset) +
                              " lie beyond the end of the file (" + std::to_string(size) +
                              " bytes)");
        tensor->storage = std::make_shared<DatasetWindowSource>(file, info.fileOffset, bytes);
    } else {
        // Compression can shrink data a thousandfold (deflate's limit is about 1032:1), never
        // more: a dataset declaring far more bytes than that is damage, and reading it would
        // only exhaust memory.
        const std::uint64_t fileSize = file->bytes()->size();
        const std::uint64_t limit = (std::uint64_t(64) << 20) + fileSize * 1100;
        if (bytes > limit)
            throw FormatError("dataset '/" + info.path + "': shape " + shapeText(info.shape) +
                              " declares " + std::to_string(bytes) +
                              " bytes, implausible for a file of " + std::to_string(fileSize) +
                              " bytes");
        // libhdf5 walks every chunk a read covers and spends kilobytes on each, allocated or
        // not: a damaged dimension over small chunks (one flipped byte made 3.6 million) would
        // take gigabytes and minutes. A file indexes each allocated chunk in at least a dozen
        // bytes, so far more chunks than the file has bytes for is damage.
        const std::uint64_t chunks = chunkCount(info);
        const std::uint64_t chunkLimit =
            std::max<std::uint64_t>(std::uint64_t(1) << 20, fileSize / 8);
        if (chunks > chunkLimit)
            throw FormatError("dataset '/" + info.path + "': shape " + shapeText(info.shape) +
                              " in chunks of " + shapeText(info.chunkShape) + " makes " +
                              std::to_string(chunks) + " chunks, implausible for a file of " +
                              std::to_string(fileSize) + " bytes");
        if (info.layout == "compact" && info.storageSize != bytes)
            throw FormatError("dataset '/" + info.path + "': shape " + shapeText(info.shape) +
                              " needs " + std::to_string(bytes) +
                              " bytes but its compact storage has " +
                              std::to_string(info.storageSize));
        tensor->storage = std::make_shared<DatasetReadSource>(file, info.path, bytes);
    }
    return tensor;
}

}  // namespace ws::h5
