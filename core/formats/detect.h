// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Magic-byte detection of the container kind.
#include "io/byte_source.h"

namespace ws {

enum class Container { Hdf5, Zip, TorchLegacy, Safetensors, Unknown };

Container detectContainer(const ByteSource& file);
// Describes what the first bytes look like, for "not a Keras HDF5 or PyTorch file: ..." messages.
std::string describeUnknownContent(const ByteSource& file);

}  // namespace ws
