// SPDX-License-Identifier: GPL-3.0-or-later
#include "containers/hdf5/hdf5_attribute.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <sstream>

#include "containers/hdf5/hdf5_types.h"
#include "model/error.h"

namespace ws::h5 {

namespace {

// Attributes live in object headers (64 KiB) or dense storage; a Keras model_config can be a
// few hundred KiB. Anything claiming far more is damaged.
constexpr std::uint64_t kMaxAttributeBytes = std::uint64_t(256) << 20;

std::string formatDouble(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    std::ostringstream out;
    out.precision(17);
    out << v;
    return out.str();
}

std::string trimFixedString(const char* p, std::size_t n, H5T_str_t pad) {
    std::size_t len = 0;
    while (len < n && p[len] != '\0') ++len;
    if (pad == H5T_STR_SPACEPAD)
        while (len > 0 && p[len - 1] == ' ') --len;
    return std::string(p, len);
}

struct AttributeReader {
    hid_t attr;
    hid_t fileType;
    std::uint64_t count;
    std::string where;

    void readStrings(Attribute& out) {
        const htri_t variable = H5Tis_variable_str(fileType);
        if (variable < 0) fail(where + ": cannot inspect the string type");
        const H5T_cset_t cset = H5Tget_cset(fileType);
        if (variable) {
            if (count > kMaxAttributeBytes / sizeof(char*))
                throw FormatError(where + ": string attribute has implausibly many elements");
            Handle memType = checked(H5Tcopy(H5T_C_S1), where + ": cannot create a string type");
            H5Tset_size(memType.get(), H5T_VARIABLE);
            H5Tset_cset(memType.get(), cset == H5T_CSET_UTF8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
            std::vector<char*> ptrs(std::size_t(count), nullptr);
            if (H5Aread(attr, memType.get(), ptrs.data()) < 0)
                fail(where + ": cannot read the strings");
            for (char* p : ptrs) out.items.emplace_back(p ? p : "");
            Handle space(H5Aget_space(attr));
            if (space.valid())
                H5Dvlen_reclaim(memType.get(), space.get(), H5P_DEFAULT, ptrs.data());
        } else {
            const std::size_t width = H5Tget_size(fileType);
            if (width == 0 || count > kMaxAttributeBytes / width)
                throw FormatError(where + ": string attribute size is implausible");
            std::vector<char> buf(std::size_t(count) * width);
            if (H5Aread(attr, fileType, buf.data()) < 0) fail(where + ": cannot read the strings");
            const H5T_str_t pad = H5Tget_strpad(fileType);
            for (std::uint64_t i = 0; i < count; ++i)
                out.items.push_back(trimFixedString(buf.data() + i * width, width, pad));
        }
    }

    template <typename T>
    std::vector<T> readNumbers(hid_t memType) {
        if (count > kMaxAttributeBytes / sizeof(T))
            throw FormatError(where + ": attribute is implausibly large");
        std::vector<T> values(static_cast<std::size_t>(count));
        if (count && H5Aread(attr, memType, values.data()) < 0)
            fail(where + ": cannot read the values");
        return values;
    }
};

}  // namespace

std::string Attribute::text() const {
    if (kind == Kind::Unsupported) return "<" + description + ">";
    if (scalar && items.size() == 1) return items.front();
    if (kind != Kind::String) {
        std::string list = "[";
        for (std::size_t i = 0; i < items.size(); ++i) list += (i ? ", " : "") + items[i];
        return list + "]";
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : items) list.push_back(item);
    return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> Attribute::strings() const {
    return kind == Kind::String ? items : std::vector<std::string>{};
}

static Attribute readOne(hid_t object, const std::string& name, const std::string& objectPath) {
    const std::string where = "attribute '" + name + "' of '/" + objectPath + "'";
    Attribute out;
    out.name = name;
    Handle attr = checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), "cannot open " + where);
    Handle space = checked(H5Aget_space(attr.get()), where + ": cannot read its dataspace");
    Handle type = checked(H5Aget_type(attr.get()), where + ": cannot read its type");
    const H5S_class_t spaceClass = H5Sget_simple_extent_type(space.get());
    std::uint64_t count = 0;
    if (spaceClass == H5S_SCALAR) {
        out.scalar = true;
        count = 1;
    } else if (spaceClass == H5S_SIMPLE) {
        out.shape = readShape(space.get(), where);
        count = checkedElementCount(out.shape, where);
    } else if (spaceClass != H5S_NULL) {
        fail(where + ": invalid dataspace");
    }
    AttributeReader reader{attr.get(), type.get(), count, where};
    switch (H5Tget_class(type.get())) {
        case H5T_STRING:
            out.kind = Attribute::Kind::String;
            if (count) reader.readStrings(out);
            break;
        case H5T_INTEGER: {
            out.kind = Attribute::Kind::Integer;
            if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
                for (auto v : reader.readNumbers<std::uint64_t>(H5T_NATIVE_UINT64))
                    out.items.push_back(std::to_string(v));
            } else {
                for (auto v : reader.readNumbers<std::int64_t>(H5T_NATIVE_INT64))
                    out.items.push_back(std::to_string(v));
            }
            break;
        }
        case H5T_FLOAT:
            out.kind = Attribute::Kind::Float;
            for (double v : reader.readNumbers<double>(H5T_NATIVE_DOUBLE))
                out.items.push_back(formatDouble(v));
            break;
        default:
            if (isBoolEnum(type.get())) {
                out.kind = Attribute::Kind::Bool;
                for (auto v : reader.readNumbers<std::int8_t>(type.get()))
                    out.items.push_back(v ? "true" : "false");
            } else {
                out.kind = Attribute::Kind::Unsupported;
                out.description = describeType(type.get()) + " attribute" +
                                  (out.scalar ? "" : " of shape " + shapeText(out.shape));
            }
    }
    return out;
}

namespace {
herr_t collectName(hid_t, const char* name, const H5A_info_t*, void* data) {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
}
}  // namespace

std::vector<Attribute> readAttributes(hid_t object, const std::string& objectPath) {
    Lock lock;
    std::vector<std::string> names;
    hsize_t index = 0;
    if (H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, &index, collectName, &names) < 0)
        fail("cannot list the attributes of '/" + objectPath + "'");
    std::vector<Attribute> out;
    out.reserve(names.size());
    for (const auto& name : names) out.push_back(readOne(object, name, objectPath));
    return out;
}

}  // namespace ws::h5
