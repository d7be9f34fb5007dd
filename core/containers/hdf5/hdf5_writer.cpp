// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/hdf5/hdf5_writer.h"

#include <algorithm>
#include <cstring>

#include "containers/hdf5/hdf5_types.h"
#include "model/error.h"

namespace ws::h5 {

namespace {

void overwriteOne(hid_t file, const DatasetBytes& write) {
    const std::string where = "dataset '/" + write.path + "'";
    Handle dataset = checked(H5Dopen2(file, ("/" + write.path).c_str(), H5P_DEFAULT),
                             "cannot open " + where + " for writing");
    Handle type = checked(H5Dget_type(dataset.get()), where + ": cannot read its type");
    // Only fixed-size numeric types are tensors; a variable-length type would make H5Dwrite
    // read pointers out of our bytes.
    const H5T_class_t typeClass = H5Tget_class(type.get());
    if (typeClass != H5T_FLOAT && typeClass != H5T_INTEGER && typeClass != H5T_ENUM)
        throw FormatError(where + ": its type (" + describeType(type.get()) +
                          ") is not a tensor type");
    Handle space = checked(H5Dget_space(dataset.get()), where + ": cannot read its dataspace");
    const hssize_t points = H5Sget_simple_extent_npoints(space.get());
    if (points < 0) fail(where + ": cannot count its elements");
    const std::uint64_t expected = std::uint64_t(points) * H5Tget_size(type.get());
    if (expected != write.bytes->size())
        throw FormatError(where + ": holds " + std::to_string(expected) + " bytes but " +
                          std::to_string(write.bytes->size()) + " were given");
    if (expected == 0) return;
    std::vector<std::uint8_t> copy;
    const void* data = write.bytes->data();
    if (!data) {
        copy = write.bytes->readAll();
        data = copy.data();
    }
    // The memory type is the file type itself: the bytes are already in the file's order.
    if (H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        fail("cannot write " + where);
}

// The core driver tells open files apart by name only, and a reader may have the same bytes
// open under its own name: each writable image gets a name of its own.
std::string imageName(const void* owner) {
    return "in-memory HDF5 file " + std::to_string(reinterpret_cast<std::uintptr_t>(owner));
}

std::vector<std::uint8_t> fileImage(hid_t file, const std::string& what) {
    if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0) fail("cannot flush " + what);
    const ssize_t size = H5Fget_file_image(file, nullptr, 0);
    if (size < 0) fail("cannot read back " + what);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(size));
    if (size > 0 && H5Fget_file_image(file, out.data(), out.size()) != size)
        fail("cannot read back " + what);
    return out;
}

}  // namespace

void overwriteDatasetsInFile(const std::string& filePath, const std::vector<DatasetBytes>& writes) {
    Lock lock;
    Handle fapl = writableAccessList();
    H5Pset_fapl_sec2(fapl.get());
    WritableFile file(H5Fopen(filePath.c_str(), H5F_ACC_RDWR, fapl.get()),
                      "libhdf5 cannot open the copy for writing");
    for (const DatasetBytes& write : writes) overwriteOne(file.id(), write);
    file.close("the HDF5 file");
}

std::vector<std::uint8_t> overwriteDatasetsInImage(const ByteSource& image,
                                                   const std::vector<DatasetBytes>& writes) {
    std::vector<std::uint8_t> bytes = image.readAll();
    Lock lock;
    Handle fapl = writableAccessList();
    // In memory only (no backing store); libhdf5 copies the image it is given.
    if (H5Pset_fapl_core(fapl.get(), 1 << 20, false) < 0)
        fail("cannot select the HDF5 core driver");
    if (H5Pset_file_image(fapl.get(), bytes.data(), bytes.size()) < 0)
        fail("cannot hand the HDF5 file image to libhdf5");
    // The property list holds its own copy now, and the driver takes another on open: drop
    // each as soon as it is no longer needed (peak twice the file, not four times).
    std::vector<std::uint8_t>().swap(bytes);
    WritableFile file(H5Fopen(imageName(&bytes).c_str(), H5F_ACC_RDWR, fapl.get()),
                      "libhdf5 cannot open the HDF5 image for writing");
    fapl.reset();
    for (const DatasetBytes& write : writes) overwriteOne(file.id(), write);
    std::vector<std::uint8_t> out = fileImage(file.id(), "the HDF5 image");
    file.close("the HDF5 image");
    return out;
}

std::vector<std::uint8_t> buildImage(const std::function<void(hid_t file)>& fill,
                                     std::uint64_t sizeHint) {
    Lock lock;
    Handle fapl = writableAccessList();
    // The core driver grows its buffer by this increment: about the whole file at once.
    const std::uint64_t increment =
        std::min<std::uint64_t>(std::max<std::uint64_t>(sizeHint + (1 << 20), 1 << 20), 1u << 30);
    if (H5Pset_fapl_core(fapl.get(), std::size_t(increment), false) < 0)
        fail("cannot select the HDF5 core driver");
    int owner = 0;
    WritableFile file(H5Fcreate(imageName(&owner).c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                      "libhdf5 cannot create an HDF5 file in memory");
    fill(file.id());
    std::vector<std::uint8_t> out = fileImage(file.id(), "the new HDF5 file");
    file.close("the new HDF5 file");
    return out;
}

WritableFile::WritableFile(hid_t id, const std::string& what) : id_(id) {
    if (id_ < 0) fail(what);
}

WritableFile::~WritableFile() {
    if (id_ >= 0) {
        Lock lock;
        H5Fclose(id_);
        H5Eclear2(H5E_DEFAULT);
    }
}

void WritableFile::close(const std::string& name) {
    Lock lock;
    if (H5Fflush(id_, H5F_SCOPE_GLOBAL) < 0) fail("cannot flush " + name);
    const hid_t id = id_;
    id_ = -1;
    if (H5Fclose(id) < 0) fail("cannot close " + name);
}

Handle writableAccessList() {
    Handle fapl = checked(H5Pcreate(H5P_FILE_ACCESS), "cannot create an HDF5 property list");
    // Our files are temporary ones nobody else opens; flock() may be missing on network file
    // systems.
    H5Pset_file_locking(fapl.get(), false, true);
    // Refuse to close while something is still open rather than leave the file half written.
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI);
    return fapl;
}

Handle fileTypeFor(DType dtype) {
    switch (dtype) {
        case DType::F32:
            return checked(H5Tcopy(H5T_IEEE_F32LE), "cannot create an HDF5 type");
        case DType::F64:
            return checked(H5Tcopy(H5T_IEEE_F64LE), "cannot create an HDF5 type");
        case DType::F16: {
            // IEEE binary16: sign bit 15, exponent bits 10-14 (bias 15), mantissa bits 0-9.
            Handle t = checked(H5Tcopy(H5T_IEEE_F32LE), "cannot create an HDF5 type");
            if (H5Tset_fields(t.get(), 15, 10, 5, 0, 10) < 0 || H5Tset_size(t.get(), 2) < 0 ||
                H5Tset_ebias(t.get(), 15) < 0)
                fail("cannot create the HDF5 float16 type");
            return t;
        }
        case DType::I8:
            return checked(H5Tcopy(H5T_STD_I8LE), "cannot create an HDF5 type");
        case DType::I16:
            return checked(H5Tcopy(H5T_STD_I16LE), "cannot create an HDF5 type");
        case DType::I32:
            return checked(H5Tcopy(H5T_STD_I32LE), "cannot create an HDF5 type");
        case DType::I64:
            return checked(H5Tcopy(H5T_STD_I64LE), "cannot create an HDF5 type");
        case DType::U8:
            return checked(H5Tcopy(H5T_STD_U8LE), "cannot create an HDF5 type");
        case DType::Bool: {
            Handle t = checked(H5Tenum_create(H5T_NATIVE_INT8), "cannot create an HDF5 type");
            const std::int8_t no = 0, yes = 1;
            if (H5Tenum_insert(t.get(), "FALSE", &no) < 0 ||
                H5Tenum_insert(t.get(), "TRUE", &yes) < 0)
                fail("cannot create the HDF5 bool type");
            return t;
        }
        default:
            throw FormatError(std::string("dtype ") + dtypeName(dtype) + " has no HDF5 type");
    }
}

}  // namespace ws::h5
