// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// HDF5 attributes as text: fixed- and variable-length strings (ASCII or UTF-8), integers,
// floats and h5py booleans, scalar or array (an empty float array of shape (0,) is how Keras
// writes "no weights"). Anything else is kept as a description, never dropped.
#include <cstdint>
#include <string>
#include <vector>

#include "containers/hdf5/hdf5_library.h"

namespace ws::h5 {

struct Attribute {
    enum class Kind { String, Integer, Float, Bool, Unsupported };

    std::string name;
    Kind kind = Kind::Unsupported;
    bool scalar = false;               // a scalar dataspace (else an array, maybe empty)
    std::vector<std::uint64_t> shape;  // empty for scalars
    std::vector<std::string> items;    // each element as text (numbers formatted like JSON)
    std::string description;           // Unsupported: what the type is

    // Scalars: the item itself; arrays: a JSON array ("[]" when empty); Unsupported: the
    // description in angle brackets.
    std::string text() const;
    // String attributes as a list (a scalar string gives a list of one); others: empty.
    std::vector<std::string> strings() const;
};

// Every attribute of an open object, in name order. Throws FormatError naming `objectPath`.
std::vector<Attribute> readAttributes(hid_t object, const std::string& objectPath);

}  // namespace ws::h5
