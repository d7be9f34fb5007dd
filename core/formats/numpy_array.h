// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// NumPy arrays pickled inside a checkpoint (torch.save of a dict holding np.ndarray values):
// numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b'), then BUILD with the state
// (version, shape, dtype, is_fortran, raw bytes). NumPy 2 spells the module numpy._core. The
// bytes live in the pickle itself, so the tensor is read from memory, never by running NumPy.
#include <string>

#include "model/tensor.h"
#include "pickle/value.h"

namespace ws::torchfmt {

// True for the inert _reconstruct call of an ndarray (whatever its dtype).
bool isNumpyArray(const pickle::Value& v);

struct DecodedArray {
    TensorPtr tensor;         // null when not supported, see `unsupported`
    std::string unsupported;  // why: object or complex dtype, a state NumPy never writes, ...
};

// The array as a tensor over a copy of its bytes. `storageKey` names its storage (arrays
// share none).
DecodedArray decodeNumpyArray(const pickle::Value& v, const std::string& storageKey);

}  // namespace ws::torchfmt
