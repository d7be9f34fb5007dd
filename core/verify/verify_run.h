// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs both sides of a ForwardProgram on the same seeded random input (through the libtorch
// module) and measures how far their outputs are apart, layer by layer and at the output.
#include <cstdint>
#include <string>
#include <vector>

#include "verify/forward_program.h"

namespace ws::verify {

struct VerifyOptions {
    std::vector<std::int64_t> inputShape;  // without batch; empty: the Keras config's
    std::uint64_t seed = 20261129;
    std::int64_t batch = 4;
    double tolerance = 1e-5;
};

struct Difference {
    std::string label;
    std::vector<std::int64_t> shapeA, shapeB;
    double maxAbs = 0;  // max |a - b|
    double scale = 0;   // max(|a|, |b|)
    double maxRel = 0;  // maxAbs / scale (0 when both are 0)
    bool shapesDiffer = false;
    bool pass = false;  // shapes equal and maxAbs <= tolerance * max(1, scale)
};

struct VerifyOutcome {
    Array input;
    std::vector<Array> outputsA, outputsB;  // per step
    std::vector<Difference> layers;         // the program's pairs
    Difference output;
    bool pass = false;
};

// Standard normal floats, or token ids in [0, tokenRange) when tokenRange > 0, from a fixed
// generator (mt19937_64) so a seed gives the same input everywhere.
Array seededInput(const std::vector<std::int64_t>& shapeWithBatch, std::uint64_t seed,
                  std::int64_t tokenRange);

Difference compareArrays(const std::string& label, const Array& a, const Array& b,
                         double tolerance);

// Throws FormatError when the input shape is unknown, the module is missing or a side fails.
VerifyOutcome runVerify(const ForwardProgram& program, const VerifyOptions& options);

}  // namespace ws::verify
