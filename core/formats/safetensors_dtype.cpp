// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/safetensors_dtype.h"

namespace ws {

namespace {

struct NamedDType {
    DType dtype;
    const char* name;
};

constexpr NamedDType kNames[] = {
    {DType::F16, "F16"}, {DType::BF16, "BF16"}, {DType::F32, "F32"}, {DType::F64, "F64"},
    {DType::I8, "I8"},   {DType::I16, "I16"},   {DType::I32, "I32"}, {DType::I64, "I64"},
    {DType::U8, "U8"},   {DType::Bool, "BOOL"},
};

}  // namespace

const char* safetensorsDtypeName(DType t) {
    for (const NamedDType& n : kNames)
        if (n.dtype == t) return n.name;
    return "F32";
}

std::optional<DType> dtypeFromSafetensorsName(const std::string& name) {
    for (const NamedDType& n : kNames)
        if (name == n.name) return n.dtype;
    return std::nullopt;
}

}  // namespace ws
