// SPDX-License-Identifier: GPL-3.0-or-later
#include "verify/verify_report.h"

namespace ws::verify {

namespace {

nlohmann::json differenceJson(const Difference& d) {
    return {{"label", d.label},    {"shape_a", d.shapeA},
            {"shape_b", d.shapeB}, {"max_abs", d.maxAbs},
            {"max_rel", d.maxRel}, {"scale", d.scale},
            {"pass", d.pass},      {"shapes_differ", d.shapesDiffer}};
}

}  // namespace

std::vector<std::string> failingLabels(const VerifyOutcome& outcome) {
    std::vector<std::string> out;
    for (const Difference& d : outcome.layers)
        if (!d.pass) out.push_back(d.label);
    if (!outcome.output.pass) out.push_back(outcome.output.label);
    return out;
}

std::string failingSummary(const VerifyOutcome& outcome) {
    std::string out;
    for (const std::string& label : failingLabels(outcome))
        out += (out.empty() ? "" : ", ") + label;
    return out;
}

nlohmann::json verifyOutcomeJson(const ForwardProgram& program, const VerifyOutcome& outcome,
                                 const VerifyOptions& options) {
    nlohmann::json j = {
        {"ran", true},
        {"pass", outcome.pass},
        {"tolerance", options.tolerance},
        {"seed", options.seed},
        {"input_shape", outcome.input.shape},
        {"semantics", {{"a", program.a.request.semantics}, {"b", program.b.request.semantics}}},
        {"notes", program.notes},
        {"output", differenceJson(outcome.output)},
        {"failing", failingLabels(outcome)}};
    j["layers"] = nlohmann::json::array();
    for (const Difference& d : outcome.layers) j["layers"].push_back(differenceJson(d));
    return j;
}

nlohmann::json verifyNotRunJson(const std::string& reason) {
    return {{"ran", false}, {"reason", reason}};
}

}  // namespace ws::verify
