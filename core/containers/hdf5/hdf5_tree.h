// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A snapshot of an HDF5 file's hierarchy: every group and dataset with its attributes and
// dataset metadata, read once at open (metadata only, never dataset values). Format readers
// work on this snapshot instead of calling libhdf5 themselves.
#include <memory>
#include <string>
#include <vector>

#include "containers/hdf5/hdf5_attribute.h"
#include "containers/hdf5/hdf5_dataset.h"

namespace ws::h5 {

struct Object {
    enum class Kind { Group, Dataset, Other };

    Kind kind = Kind::Group;
    std::string name;  // last path component
    std::string path;  // full path without the leading '/' ("" for the root group)
    std::vector<Attribute> attributes;
    std::vector<std::unique_ptr<Object>> children;  // groups only, in name order
    DatasetInfo dataset;                            // datasets only
    std::string note;  // Other: what it is (soft link target, external link, named type...)

    const Object* child(const std::string& childName) const;
    // A descendant by relative path "a/b/c" (empty components ignored), or null.
    const Object* find(const std::string& relativePath) const;
    const Attribute* attribute(const std::string& attrName) const;
};

// Walks the whole file from the root group. Hard links to an already visited group are
// recorded as Other (no cycles); soft and external links are recorded, not followed.
// Throws FormatError naming the object that could not be read. The walk is rehearsed in a
// child process first (hdf5_isolation.h), so a file that crashes libhdf5 is rejected cleanly.
std::unique_ptr<Object> readTree(const File& file);

}  // namespace ws::h5
