// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "verify/verify_run.h"

namespace wscli {

// `weightsmith-cli verify A B [--input-shape ...] [--tolerance T] [--seed N]`: runs both models
// on the same seeded random input, each under its own framework's semantics (libtorch module,
// loaded on first use), and compares layer by layer. Exit 0 within tolerance, 3 beyond it,
// 1 unreadable / unrunnable input, 2 usage error.
int runVerify(const std::vector<std::string>& args);

constexpr int kExitBeyondTolerance = 3;  // verify, and convert's forward check

// --input-shape D1,D2,... through verify/input_shape.h; false with `error` set (also when blank).
bool parseInputShape(const std::string& text, std::vector<std::int64_t>& shape, std::string& error);

// Prints a finished run as `verify` does: both sides, the input, notes, one line per compared
// layer and the output, then "verify: OK" or "verify: DIFFERENT" naming what is beyond tolerance.
void printVerifyReport(const ws::verify::ForwardProgram& program,
                       const ws::verify::VerifyOutcome& outcome,
                       const ws::verify::VerifyOptions& options);

}  // namespace wscli
