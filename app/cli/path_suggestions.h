// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// "Did you mean ...?" for a --tensor PATH that is not in the model.
#include <string>
#include <vector>

#include "model/model.h"

namespace wscli {

// Up to `limit` node paths closest to `wanted`, nearest first: those within a small edit
// distance (typos) and those that contain it (a partial name).
std::vector<std::string> suggestPaths(const ws::Model& model, const std::string& wanted,
                                      std::size_t limit = 5);

}  // namespace wscli
