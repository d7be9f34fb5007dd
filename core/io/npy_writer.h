// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Export of one tensor as a NumPy .npy file (format version 1.0, C order), so any tensor can be
// checked with numpy.load or used elsewhere.
#include <string>

#include "model/tensor.h"

namespace ws {

// Writes `tensor` to `path` with its own dtype; bf16, which NumPy lacks, is widened to float32.
// The file appears atomically (temp file in the same folder, fsync, rename): a reader never sees
// half a file and a failed export leaves an existing file untouched. Returns a note for the user
// ("" when nothing needs saying). Throws FormatError when the tensor cannot be read or the file
// cannot be written, naming the path and the reason.
std::string writeNpy(const Tensor& tensor, const std::string& path);

// The .npy v1.0 preamble (magic, version, header length, header dict padded to 64 bytes) for a
// C-order array of the given NumPy descr ("<f4") and shape.
std::string npyHeader(const std::string& descr, const std::vector<std::int64_t>& shape);

}  // namespace ws
