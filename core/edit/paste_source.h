// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A block of values to paste into a tensor: rows × columns, from a 2-D array, CSV/TSV text or
// a NumPy .npy file (0-, 1- or 2-D; a 1-D array is one row).
#include <cstdint>
#include <string>
#include <vector>

#include "edit/scalar.h"

namespace ws {

struct PasteBlock {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<Scalar> values;  // row-major, rows * cols
};

// A block from values already in memory (a GUI selection, a 2-D array): row-major, rows * cols
// of them. Throws FormatError when the count does not match.
PasteBlock blockFromValues(std::int64_t rows, std::int64_t cols, const std::vector<double>& values);

// CSV or TSV (separator: tab if the text has one, else comma, else runs of spaces); blank lines
// are skipped; every row must have the same number of values. Throws FormatError naming the
// row and column of a bad value.
PasteBlock parsePasteText(const std::string& text);

// A .npy file (by its magic, whatever the name) or else CSV/TSV text. Throws FormatError
// naming the file.
PasteBlock loadPasteFile(const std::string& path);

// The array in a .npy image (versions 1-3; little- or big-endian bool/int/uint/float of 1-8
// bytes, C or Fortran order; at most 2 dimensions).
PasteBlock parseNpy(const std::vector<std::uint8_t>& bytes);

}  // namespace ws
