// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Element types a tensor may have, with their sizes and display names.
#include <cstddef>
#include <optional>
#include <string>

namespace ws {

enum class DType { F16, BF16, F32, F64, I8, I16, I32, I64, U8, Bool };

std::size_t dtypeSize(DType t);
// Short display name: "f16", "bf16", "f32", "f64", "i8", "i16", "i32", "i64", "u8", "bool".
const char* dtypeName(DType t);
// NumPy type string for .npy headers ("<f4", "|b1", ...); bf16 has none (widened by callers).
std::optional<std::string> dtypeNumpyDescr(DType t);
bool dtypeIsFloat(DType t);

}  // namespace ws
