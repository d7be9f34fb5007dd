// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/hdf5/hdf5_types.h"

#include "model/error.h"

namespace ws::h5 {

bool isBoolEnum(hid_t type) {
    if (H5Tget_class(type) != H5T_ENUM || H5Tget_size(type) != 1 || H5Tget_nmembers(type) != 2)
        return false;
    for (unsigned i = 0; i < 2; ++i) {
        char* name = H5Tget_member_name(type, i);
        if (!name) return false;
        std::string n(name);
        H5free_memory(name);
        std::int8_t value = -1;
        if (H5Tget_member_value(type, i, &value) < 0) return false;
        if (!((n == "FALSE" && value == 0) || (n == "TRUE" && value == 1))) return false;
    }
    return true;
}

static std::string orderSuffix(hid_t type) {
    return H5Tget_order(type) == H5T_ORDER_BE ? " big-endian" : "";
}

std::string describeType(hid_t type) {
    const std::size_t size = H5Tget_size(type);
    const std::string bits = std::to_string(size * 8);
    switch (H5Tget_class(type)) {
        case H5T_INTEGER:
            return std::string(H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + bits +
                   orderSuffix(type);
        case H5T_FLOAT:
            return "float" + bits + orderSuffix(type);
        case H5T_STRING: {
            const htri_t variable = H5Tis_variable_str(type);
            return variable > 0 ? "variable-length string"
                                : "fixed-length string of " + std::to_string(size) + " bytes";
        }
        case H5T_BITFIELD:
            return "bitfield" + bits;
        case H5T_OPAQUE:
            return "opaque " + std::to_string(size) + "-byte";
        case H5T_COMPOUND:
            return "compound " + std::to_string(size) + "-byte";
        case H5T_REFERENCE:
            return "reference";
        case H5T_ENUM:
            return isBoolEnum(type) ? "bool" : "enum " + bits;
        case H5T_VLEN:
            return "variable-length sequence";
        case H5T_ARRAY:
            return "array type";
        case H5T_TIME:
            return "time";
        default:
            return "unknown type";
    }
}

ElementType classifyType(hid_t type) {
    ElementType out;
    out.description = describeType(type);
    out.bigEndian = H5Tget_order(type) == H5T_ORDER_BE;
    const std::size_t size = H5Tget_size(type);
    switch (H5Tget_class(type)) {
        case H5T_FLOAT: {
            // Only standard IEEE layouts; bfloat16 (8 exponent bits in 2 bytes) is recognised
            // by its field positions as h5py/ml_dtypes write it.
            std::size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
            if (H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) < 0) break;
            if (size == 2 && esize == 5 && msize == 10)
                out.dtype = DType::F16;
            else if (size == 2 && esize == 8 && msize == 7)
                out.dtype = DType::BF16;
            else if (size == 4 && esize == 8 && msize == 23)
                out.dtype = DType::F32;
            else if (size == 8 && esize == 11 && msize == 52)
                out.dtype = DType::F64;
            break;
        }
        case H5T_INTEGER: {
            const bool isSigned = H5Tget_sign(type) != H5T_SGN_NONE;
            if (isSigned && size == 1)
                out.dtype = DType::I8;
            else if (isSigned && size == 2)
                out.dtype = DType::I16;
            else if (isSigned && size == 4)
                out.dtype = DType::I32;
            else if (isSigned && size == 8)
                out.dtype = DType::I64;
            else if (!isSigned && size == 1)
                out.dtype = DType::U8;
            break;
        }
        case H5T_ENUM:
            if (isBoolEnum(type)) out.dtype = DType::Bool;
            break;
        default:
            break;
    }
    if (H5Tget_order(type) != H5T_ORDER_BE && H5Tget_order(type) != H5T_ORDER_LE && out.dtype &&
        dtypeSize(*out.dtype) > 1)
        out.dtype.reset();  // VAX or mixed orders
    return out;
}

std::vector<std::uint64_t> readShape(hid_t space, const std::string& where) {
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0 || rank > H5S_MAX_RANK) fail(where + ": damaged dataspace");
    std::vector<hsize_t> dims(std::size_t(rank) + 1);
    if (H5Sget_simple_extent_dims(space, dims.data(), nullptr) < 0)
        fail(where + ": cannot read the dataspace dimensions");
    return std::vector<std::uint64_t>(dims.begin(), dims.begin() + rank);
}

std::uint64_t checkedElementCount(const std::vector<std::uint64_t>& shape,
                                  const std::string& where) {
    const std::uint64_t limit = std::uint64_t(1) << 62;
    std::uint64_t n = 1;
    for (std::uint64_t d : shape) {
        // Each dimension must also fit a signed 64-bit tensor shape, even next to a 0.
        if (d > limit || (d != 0 && n > limit / d))
            throw FormatError(where + ": shape " + shapeText(shape) + " is too large");
        n *= d;
    }
    return n;
}

std::string shapeText(const std::vector<std::uint64_t>& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace ws::h5
