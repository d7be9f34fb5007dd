// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading and writing one element of a storage in its own dtype. Writes keep the dtype: floats
// round to nearest even (f16/bf16 directly from the double, without a second rounding through
// float32), integer and bool elements refuse values they cannot hold exactly.
#include <cstdint>
#include <string>

#include "edit/scalar.h"
#include "model/dtype.h"
#include "model/tensor.h"

namespace ws {

// The element at p (dtypeSize(dtype) bytes, byte-swapped first when bigEndian).
Scalar loadElement(const std::uint8_t* p, DType dtype, bool bigEndian);

// Writes v into p. Throws FormatError("<what>: ...") when v does not fit the dtype:
// a fraction or out-of-range number for an integer type, anything but 0/1 for bool.
void storeElement(std::uint8_t* p, DType dtype, bool bigEndian, const Scalar& v,
                  const std::string& what);

// v as it reads back after storeElement (the rounding the dtype applies), without writing.
Scalar roundToDtype(const Scalar& v, DType dtype, const std::string& what);

// The shortest text that reads back as the same element of `dtype` (0.1 for the f32 nearest to
// 0.1, not 0.10000000149011612).
std::string elementText(const Scalar& v, DType dtype);

// The text of element `element` of the tensor's storage (counted in elements, storageOffset
// included), read from its own bytes: exact for every dtype, where going through the double a
// view shows would round an int64 beyond 2^53. Throws FormatError outside the storage.
std::string storedElementText(const Tensor& tensor, std::int64_t element);

// double -> IEEE half / bfloat16 / float, correctly rounded to nearest even in one step.
std::uint16_t doubleToHalf(double d);
std::uint16_t doubleToBfloat16(double d);

}  // namespace ws
