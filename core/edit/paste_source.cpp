// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/paste_source.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "edit/element_codec.h"
#include "model/error.h"

namespace ws {

namespace {

std::vector<std::string> splitRow(const std::string& line, char sep) {
    std::vector<std::string> out;
    if (sep == ' ') {
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
            if (i == line.size()) break;
            std::size_t j = i;
            while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
            out.push_back(line.substr(i, j - i));
            i = j;
        }
        return out;
    }
    std::size_t start = 0;
    for (;;) {
        const std::size_t at = line.find(sep, start);
        out.push_back(line.substr(start, at == std::string::npos ? at : at - start));
        if (at == std::string::npos) return out;
        start = at + 1;
    }
}

// Reads the dict value of `key` from a .npy header ("'descr': '<f4'").
std::string headerField(const std::string& header, const std::string& key) {
    const std::size_t at = header.find("'" + key + "'");
    if (at == std::string::npos) throw FormatError(".npy header has no '" + key + "'");
    std::size_t colon = header.find(':', at);
    if (colon == std::string::npos) throw FormatError(".npy header is malformed");
    std::size_t i = colon + 1;
    while (i < header.size() && header[i] == ' ') ++i;
    if (i < header.size() && header[i] == '\'') {
        const std::size_t end = header.find('\'', i + 1);
        if (end == std::string::npos) throw FormatError(".npy header is malformed");
        return header.substr(i + 1, end - i - 1);
    }
    if (i < header.size() && header[i] == '(') {
        const std::size_t end = header.find(')', i);
        if (end == std::string::npos) throw FormatError(".npy header is malformed");
        return header.substr(i, end - i + 1);
    }
    std::size_t end = i;
    while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
    return header.substr(i, end - i);
}

}  // namespace

PasteBlock blockFromValues(std::int64_t rows, std::int64_t cols,
                           const std::vector<double>& values) {
    const bool positive = rows > 0 && cols > 0;
    if (!positive || std::uint64_t(rows) * std::uint64_t(cols) != values.size())
        throw FormatError("a " + std::to_string(rows) + " x " + std::to_string(cols) +
                          " block does not hold " + std::to_string(values.size()) + " values");
    PasteBlock block;
    block.rows = rows;
    block.cols = cols;
    block.values.reserve(values.size());
    for (double v : values) block.values.push_back(Scalar::fromReal(v));
    return block;
}

PasteBlock parsePasteText(const std::string& text) {
    char sep = ' ';
    if (text.find('\t') != std::string::npos)
        sep = '\t';
    else if (text.find(',') != std::string::npos)
        sep = ',';
    PasteBlock block;
    std::size_t lineNo = 0, start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        const std::vector<std::string> cells = splitRow(line, sep);
        if (block.rows == 0)
            block.cols = std::int64_t(cells.size());
        else if (std::int64_t(cells.size()) != block.cols)
            throw FormatError("line " + std::to_string(lineNo) + " has " +
                              std::to_string(cells.size()) + " values but the first row has " +
                              std::to_string(block.cols));
        for (std::size_t c = 0; c < cells.size(); ++c) {
            try {
                block.values.push_back(parseScalar(cells[c]));
            } catch (const FormatError& e) {
                throw FormatError("line " + std::to_string(lineNo) + ", column " +
                                  std::to_string(c + 1) + ": " + e.what());
            }
        }
        ++block.rows;
    }
    if (block.rows == 0) throw FormatError("no values to paste");
    return block;
}

PasteBlock parseNpy(const std::vector<std::uint8_t>& bytes) {
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
        throw FormatError("not a .npy file (no \\x93NUMPY magic)");
    const int major = bytes[6];
    std::uint64_t headerLen = 0, at = 0;
    if (major == 1) {
        headerLen = bytes[8] | (bytes[9] << 8);
        at = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) throw FormatError(".npy file is truncated");
        headerLen = std::uint64_t(bytes[8]) | (std::uint64_t(bytes[9]) << 8) |
                    (std::uint64_t(bytes[10]) << 16) | (std::uint64_t(bytes[11]) << 24);
        at = 12;
    } else {
        throw FormatError(".npy version " + std::to_string(major) + " is not supported");
    }
    if (headerLen > bytes.size() - at) throw FormatError(".npy header is truncated");
    const std::string header(bytes.begin() + at, bytes.begin() + at + headerLen);
    at += headerLen;

    const std::string descr = headerField(header, "descr");
    const bool fortran = headerField(header, "fortran_order").find("True") != std::string::npos;
    const std::string shapeText = headerField(header, "shape");
    if (shapeText.empty() || shapeText[0] != '(')
        throw FormatError(".npy shape " + shapeText + " is not a tuple");
    std::vector<std::int64_t> shape;
    for (std::size_t i = 1; i < shapeText.size();) {
        while (i < shapeText.size() && (shapeText[i] == ' ' || shapeText[i] == ',')) ++i;
        if (i >= shapeText.size() || shapeText[i] == ')') break;
        std::int64_t dim = 0;
        std::size_t j = i;
        for (; j < shapeText.size() && std::isdigit(static_cast<unsigned char>(shapeText[j]));
             ++j) {
            if (dim > (std::int64_t(1) << 40))
                throw FormatError(".npy shape " + shapeText + " is too large");
            dim = dim * 10 + (shapeText[j] - '0');
        }
        if (j == i) throw FormatError(".npy shape " + shapeText + " is malformed");
        shape.push_back(dim);
        i = j;
    }
    if (shape.size() > 2)
        throw FormatError(".npy array has " + std::to_string(shape.size()) +
                          " dimensions; paste takes at most 2");
    if (descr.size() < 3) throw FormatError(".npy dtype '" + descr + "' is not supported");
    const char order = descr[0], kind = descr[1];
    const int width = std::atoi(descr.c_str() + 2);
    DType dtype;
    if (kind == 'f' && width == 2)
        dtype = DType::F16;
    else if (kind == 'f' && width == 4)
        dtype = DType::F32;
    else if (kind == 'f' && width == 8)
        dtype = DType::F64;
    else if (kind == 'i' && width == 1)
        dtype = DType::I8;
    else if (kind == 'i' && width == 2)
        dtype = DType::I16;
    else if (kind == 'i' && width == 4)
        dtype = DType::I32;
    else if (kind == 'i' && width == 8)
        dtype = DType::I64;
    else if (kind == 'u' && width == 1)
        dtype = DType::U8;
    else if (kind == 'b' && width == 1)
        dtype = DType::Bool;
    else
        throw FormatError(".npy dtype '" + descr + "' is not supported for pasting");
    const bool big = order == '>';

    PasteBlock block;
    block.rows = shape.size() == 2 ? shape[0] : 1;
    block.cols = shape.empty() ? 1 : shape.back();
    if (block.cols != 0 && block.rows > (std::int64_t(1) << 40) / block.cols)
        throw FormatError(".npy array is too large to paste");
    const std::uint64_t n = std::uint64_t(block.rows * block.cols);
    if (n > (bytes.size() - at) / std::uint64_t(width))
        throw FormatError(".npy data is truncated: " + std::to_string(n) + " elements expected");
    block.values.resize(n);
    for (std::int64_t r = 0; r < block.rows; ++r)
        for (std::int64_t c = 0; c < block.cols; ++c) {
            const std::int64_t src = fortran ? c * block.rows + r : r * block.cols + c;
            block.values[std::size_t(r * block.cols + c)] =
                loadElement(bytes.data() + at + std::uint64_t(src) * width, dtype, big);
        }
    if (n == 0) throw FormatError(".npy array is empty: nothing to paste");
    return block;
}

PasteBlock loadPasteFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FormatError(path + ": cannot open the paste source");
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
    try {
        if (bytes.size() >= 6 && std::memcmp(bytes.data(), "\x93NUMPY", 6) == 0)
            return parseNpy(bytes);
        return parsePasteText(std::string(bytes.begin(), bytes.end()));
    } catch (const FormatError& e) {
        throw FormatError(path + ": " + e.what());
    }
}

}  // namespace ws
