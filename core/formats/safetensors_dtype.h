// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The dtype strings of a safetensors header ("F32", "BF16", "BOOL", ...), in both directions
// from one table, so that what the reader accepts and what the exporter writes cannot drift.
#include <optional>
#include <string>

#include "model/dtype.h"

namespace ws {

const char* safetensorsDtypeName(DType t);
// The element type a header's dtype string names; nullopt for any other string.
std::optional<DType> dtypeFromSafetensorsName(const std::string& name);

}  // namespace ws
