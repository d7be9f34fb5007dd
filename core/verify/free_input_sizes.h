// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The input shapes a forward check runs when the Keras config leaves dimensions free (None), so
// that `convert` checks its result without asking for --input-shape:
//   - a recurrent model's time axis: several lengths (1, 7 and 64 steps), since a gate or bias
//     error can hide on one step and a state error on few;
//   - image / signal axes: the smallest size every layer of the chain accepts (every free axis
//     the same size), found with the Keras shape inference.
// A shape that is already fully known is returned alone; nothing is returned when no size fits.
#include <cstdint>
#include <vector>

#include "verify/forward_program.h"

namespace ws::verify {

std::vector<std::vector<std::int64_t>> inputShapesToCheck(const ForwardProgram& program);

}  // namespace ws::verify
