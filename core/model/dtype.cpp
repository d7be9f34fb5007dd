// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/dtype.h"

namespace ws {

std::size_t dtypeSize(DType t) {
    switch (t) {
        case DType::F16:
        case DType::BF16:
        case DType::I16:
            return 2;
        case DType::F32:
        case DType::I32:
            return 4;
        case DType::F64:
        case DType::I64:
            return 8;
        case DType::I8:
        case DType::U8:
        case DType::Bool:
            return 1;
    }
    return 1;
}

const char* dtypeName(DType t) {
    switch (t) {
        case DType::F16:
            return "f16";
        case DType::BF16:
            return "bf16";
        case DType::F32:
            return "f32";
        case DType::F64:
            return "f64";
        case DType::I8:
            return "i8";
        case DType::I16:
            return "i16";
        case DType::I32:
            return "i32";
        case DType::I64:
            return "i64";
        case DType::U8:
            return "u8";
        case DType::Bool:
            return "bool";
    }
    return "?";
}

std::optional<std::string> dtypeNumpyDescr(DType t) {
    switch (t) {
        case DType::F16:
            return "<f2";
        case DType::BF16:
            return std::nullopt;
        case DType::F32:
            return "<f4";
        case DType::F64:
            return "<f8";
        case DType::I8:
            return "|i1";
        case DType::I16:
            return "<i2";
        case DType::I32:
            return "<i4";
        case DType::I64:
            return "<i8";
        case DType::U8:
            return "|u1";
        case DType::Bool:
            return "|b1";
    }
    return std::nullopt;
}

bool dtypeIsFloat(DType t) {
    return t == DType::F16 || t == DType::BF16 || t == DType::F32 || t == DType::F64;
}

}  // namespace ws
