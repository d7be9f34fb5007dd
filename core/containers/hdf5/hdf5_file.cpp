// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/hdf5/hdf5_file.h"

#include <cstring>

#include "model/error.h"

namespace ws::h5 {

// ---- superblock pre-check ------------------------------------------------------------------

static std::uint64_t readLittleEndian(const std::uint8_t* p, unsigned width) {
    std::uint64_t v = 0;
    for (unsigned i = width; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

int checkSuperblock(const ByteSource& bytes) {
    static const std::uint8_t signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    std::uint64_t at = 0;
    std::uint8_t head[96];
    bool found = false;
    // The superblock sits at 0 or after a user block of 512, 1024, 2048, ... bytes.
    for (; at < bytes.size() && at <= (std::uint64_t(1) << 30); at = at ? at * 2 : 512) {
        if (bytes.size() - at < 8) break;
        bytes.read(at, head, 8);
        if (std::memcmp(head, signature, 8) == 0) {
            found = true;
            break;
        }
    }
    if (!found) throw FormatError("no HDF5 superblock signature found");
    std::size_t avail = std::size_t(std::min<std::uint64_t>(sizeof head, bytes.size() - at));
    bytes.read(at, head, avail);
    if (avail < 9) throw FormatError("HDF5 superblock is truncated");
    const int version = head[8];
    unsigned offsetSize = 0, fieldsAt = 0;
    if (version == 0 || version == 1) {
        if (avail < 16) throw FormatError("HDF5 superblock is truncated");
        offsetSize = head[13];
        fieldsAt = version == 0 ? 24 : 28;
    } else if (version == 2 || version == 3) {
        offsetSize = head[9];
        fieldsAt = 12;
    } else {
        throw FormatError("unsupported HDF5 superblock version " + std::to_string(version));
    }
    if (offsetSize != 2 && offsetSize != 4 && offsetSize != 8)
        throw FormatError("HDF5 superblock has an invalid offset size (" +
                          std::to_string(offsetSize) + ")");
    // Base address, then (v0/1: free-space address; v2/3: extension address), then EOF.
    const std::size_t eofAt = fieldsAt + 2 * offsetSize;
    if (avail < eofAt + offsetSize) throw FormatError("HDF5 superblock is truncated");
    const std::uint64_t undefined =
        offsetSize == 8 ? ~std::uint64_t(0) : (std::uint64_t(1) << (8 * offsetSize)) - 1;
    // libhdf5 compares this field with the physical file size (its relative EOF plus the base
    // address), i.e. it behaves as an absolute end even when a user block precedes the
    // superblock; the same comparison here gives a clearer message before libhdf5 runs.
    const std::uint64_t eof = readLittleEndian(head + eofAt, offsetSize);
    if (eof != undefined && eof > bytes.size())
        throw FormatError("the file is truncated: its HDF5 superblock says it ends at byte " +
                          std::to_string(eof) + " but it has only " + std::to_string(bytes.size()) +
                          " bytes");
    return version;
}

// ---- file images without copies ------------------------------------------------------------

// libhdf5 asks these callbacks for buffers whenever it would copy the image (into the
// property list, into the core driver on open). Handing back the caller's buffer and never
// freeing it makes the core driver read the image in place, as H5LTopen_file_image does with
// H5LT_FILE_IMAGE_DONT_COPY; the file is read-only, so the buffer is never written.
struct File::ImageCallbacks {
    const void* buffer = nullptr;
    std::size_t size = 0;

    static void* allocate(std::size_t size, H5FD_file_image_op_t, void* udata) {
        auto* self = static_cast<ImageCallbacks*>(udata);
        return size == self->size ? const_cast<void*>(self->buffer) : nullptr;
    }
    static void* copy(void* dest, const void* src, std::size_t size, H5FD_file_image_op_t, void*) {
        if (dest != src) std::memcpy(dest, src, size);
        return dest;
    }
    static void* reallocate(void*, std::size_t, H5FD_file_image_op_t, void*) { return nullptr; }
    static herr_t release(void*, H5FD_file_image_op_t, void*) { return 0; }
    static void* copyUserData(void* udata) { return udata; }
    static herr_t releaseUserData(void*) { return 0; }
};

static Handle readOnlyAccessList() {
    Handle fapl = checked(H5Pcreate(H5P_FILE_ACCESS), "cannot create an HDF5 property list");
    // Read-only inspection must work on read-only mounts and network file systems where
    // flock() is unavailable; we never write, so locking buys nothing.
    H5Pset_file_locking(fapl.get(), false, true);
    return fapl;
}

std::shared_ptr<File> File::openPath(const std::string& path, ByteSourcePtr bytes) {
    checkSuperblock(*bytes);
    std::shared_ptr<File> file(new File());
    file->bytes_ = std::move(bytes);
    Lock lock;
    Handle fapl = readOnlyAccessList();
    H5Pset_fapl_sec2(fapl.get());
    file->handle_ =
        checked(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), "libhdf5 cannot open the file");
    return file;
}

std::shared_ptr<File> File::openImage(ByteSourcePtr image) {
    if (!image->data() && image->size() > 0)
        image = std::make_shared<MemoryByteSource>(image->readAll());
    checkSuperblock(*image);
    std::shared_ptr<File> file(new File());
    file->bytes_ = image;
    file->image_ = std::make_unique<ImageCallbacks>();
    file->image_->buffer = image->data();
    file->image_->size = std::size_t(image->size());
    Lock lock;
    Handle fapl = readOnlyAccessList();
    if (H5Pset_fapl_core(fapl.get(), 1 << 20, false) < 0)
        fail("cannot select the HDF5 core driver");
    H5FD_file_image_callbacks_t callbacks = {
        &ImageCallbacks::allocate, &ImageCallbacks::copy,         &ImageCallbacks::reallocate,
        &ImageCallbacks::release,  &ImageCallbacks::copyUserData, &ImageCallbacks::releaseUserData,
        file->image_.get()};
    if (H5Pset_file_image_callbacks(fapl.get(), &callbacks) < 0)
        fail("cannot set HDF5 file image callbacks");
    if (H5Pset_file_image(fapl.get(), const_cast<void*>(file->image_->buffer), file->image_->size) <
        0)
        fail("cannot hand the HDF5 file image to libhdf5");
    // The core driver reads the image, not the disk, but it tells open files apart by name:
    // a second image opened under the same name would be handed the first one's contents
    // (two .keras archives open at once). The image's address makes the name unique.
    const std::string name = "model.weights.h5 @" +
                             std::to_string(reinterpret_cast<std::uintptr_t>(file->image_->buffer));
    file->handle_ = checked(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get()),
                            "libhdf5 cannot open the embedded HDF5 file");
    return file;
}

File::~File() {
    Lock lock;
    handle_.reset();
}

}  // namespace ws::h5
