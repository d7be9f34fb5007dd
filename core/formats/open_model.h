// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The one entry point from a path to a tree: detects the format by content (never by
// extension) and runs its reader.
#include <memory>
#include <string>

#include "model/model.h"

namespace ws {

// Throws FormatError("<path>: <what is wrong>") for anything it cannot read.
std::unique_ptr<Model> openModel(const std::string& path);

}  // namespace ws
