// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// HDF5 datatypes and dataspaces in Weightsmith terms: element type, byte order, shape.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "containers/hdf5/hdf5_library.h"
#include "model/dtype.h"

namespace ws::h5 {

struct ElementType {
    std::optional<DType> dtype;  // empty when Weightsmith has no matching tensor type
    bool bigEndian = false;
    std::string description;  // "float32", "uint32 big-endian", "variable-length string"...
};

ElementType classifyType(hid_t type);
// h5py stores numpy bool as an enum {FALSE=0, TRUE=1} over int8.
bool isBoolEnum(hid_t type);
std::string describeType(hid_t type);

// The extent of a simple dataspace; throws FormatError naming `where` when it is damaged.
std::vector<std::uint64_t> readShape(hid_t space, const std::string& where);
// The product of `shape`, checked against overflow (limit 2^62).
std::uint64_t checkedElementCount(const std::vector<std::uint64_t>& shape,
                                  const std::string& where);
std::string shapeText(const std::vector<std::uint64_t>& shape);  // "(3, 4)", "(0,)"

}  // namespace ws::h5
