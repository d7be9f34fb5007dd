// SPDX-License-Identifier: GPL-3.0-or-later
#include "verify/free_input_sizes.h"

#include <algorithm>

#include "convert/rule_table.h"
#include "layers/keras_shape_inference.h"

namespace ws::verify {

namespace {

const Side* kerasSide(const ForwardProgram& p) {
    if (p.a.request.semantics == "keras") return &p.a;
    if (p.b.request.semantics == "keras") return &p.b;
    return nullptr;
}

bool isFree(std::int64_t d) { return d <= 0; }

// Whether every step of the Keras chain takes `input` (its shape inference gives an output).
bool chainAccepts(const Side& keras, const std::vector<std::int64_t>& input) {
    std::vector<std::int64_t> shape = input;
    for (const ForwardStep& step : keras.request.steps) {
        layers::SemanticLayer l;
        l.kind = step.kind;
        l.params = nlohmann::json::parse(step.params, nullptr, false);
        if (l.params.is_discarded()) return false;
        shape = layers::kerasOutputShape(l, shape);
        if (shape.empty()) return false;
    }
    return true;
}

std::vector<std::int64_t> withFree(const std::vector<std::int64_t>& shape, std::int64_t n) {
    std::vector<std::int64_t> out = shape;
    for (std::int64_t& d : out)
        if (isFree(d)) d = n;
    return out;
}

}  // namespace

std::vector<std::vector<std::int64_t>> inputShapesToCheck(const ForwardProgram& program) {
    const std::vector<std::int64_t>& shape = program.inputShape;
    if (!shape.empty() && std::none_of(shape.begin(), shape.end(), isFree)) return {shape};
    const Side* keras = kerasSide(program);
    if (shape.empty() || !keras) return {};
    std::vector<std::vector<std::int64_t>> out;
    for (std::int64_t n = 1; n <= 4096 && out.empty(); ++n)
        if (chainAccepts(*keras, withFree(shape, n))) out.push_back(withFree(shape, n));
    const auto& steps = keras->request.steps;
    const bool recurrent = std::any_of(steps.begin(), steps.end(), [](const ForwardStep& s) {
        return convert::isRecurrentKind(s.kind);
    });
    // A recurrent model with one free axis (its time steps): longer sequences too.
    if (out.empty() || !recurrent || std::count_if(shape.begin(), shape.end(), isFree) != 1)
        return out;
    for (std::int64_t n : {std::int64_t(7), std::int64_t(64)})
        if (n > out.front().at(0) && chainAccepts(*keras, withFree(shape, n)))
            out.push_back(withFree(shape, n));
    return out;
}

}  // namespace ws::verify
