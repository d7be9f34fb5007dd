// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A verify run as JSON, for `convert --report-json` (and anyone else reporting one): the same
// numbers `weightsmith-cli verify` prints, per compared layer and at the output.
#include <string>

#include <nlohmann/json.hpp>

#include "verify/verify_run.h"

namespace ws::verify {

// {"ran": true, "pass", "tolerance", "seed", "input_shape", "semantics": {"a", "b"}, "notes",
//  "layers": [DIFF], "output": DIFF, "failing": [label]} with
// DIFF = {"label", "shape_a", "shape_b", "max_abs", "max_rel", "scale", "shapes_differ", "pass"}.
nlohmann::json verifyOutcomeJson(const ForwardProgram& program, const VerifyOutcome& outcome,
                                 const VerifyOptions& options);

// {"ran": false, "reason": why} for a check that could not run or was skipped.
nlohmann::json verifyNotRunJson(const std::string& reason);

// The labels of the compared layers (and "output") beyond tolerance, in order.
std::vector<std::string> failingLabels(const VerifyOutcome& outcome);
// The same joined with ", " for messages (empty when everything passed).
std::string failingSummary(const VerifyOutcome& outcome);

}  // namespace ws::verify
