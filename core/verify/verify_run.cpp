// SPDX-License-Identifier: GPL-3.0-or-later
#include "verify/verify_run.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "model/error.h"
#include "model/tensor.h"
#include "verify/torch_kernels_loader.h"

namespace ws::verify {

Array seededInput(const std::vector<std::int64_t>& shape, std::uint64_t seed,
                  std::int64_t tokenRange) {
    Array a;
    a.shape = shape;
    std::size_t n = 1;
    for (std::int64_t d : shape) {
        if (d <= 0 || n > (std::size_t(1) << 28) / std::size_t(d))
            throw FormatError("input shape " + shapeToString(shape) + " is unknown or too large");
        n *= std::size_t(d);
    }
    std::mt19937_64 gen(seed);
    a.values.resize(n);
    if (tokenRange > 0) {
        for (double& v : a.values) v = double(gen() % std::uint64_t(tokenRange));
    } else {
        std::normal_distribution<double> normal(0.0, 1.0);
        for (double& v : a.values) v = normal(gen);
    }
    return a;
}

Difference compareArrays(const std::string& label, const Array& a, const Array& b,
                         double tolerance) {
    Difference d;
    d.label = label;
    d.shapeA = a.shape;
    d.shapeB = b.shape;
    d.shapesDiffer = a.shape != b.shape || a.values.size() != b.values.size();
    if (d.shapesDiffer) return d;
    for (std::size_t i = 0; i < a.values.size(); ++i) {
        const double diff = std::fabs(a.values[i] - b.values[i]);
        d.maxAbs = std::isnan(diff) ? INFINITY : std::max(d.maxAbs, diff);
        d.scale = std::max({d.scale, std::fabs(a.values[i]), std::fabs(b.values[i])});
    }
    d.maxRel = d.scale > 0 ? d.maxAbs / d.scale : 0;
    d.pass = d.maxAbs <= tolerance * std::max(1.0, d.scale);
    return d;
}

VerifyOutcome runVerify(const ForwardProgram& program, const VerifyOptions& options) {
    std::vector<std::int64_t> shape =
        options.inputShape.empty() ? program.inputShape : options.inputShape;
    if (shape.empty() ||
        std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d <= 0; }))
        throw FormatError("the model's input shape is not fully known (" + shapeToString(shape) +
                          "): give it with --input-shape, e.g. --input-shape 60,1");
    shape.insert(shape.begin(), options.batch);
    VerifyOutcome out;
    out.input = seededInput(shape, options.seed, program.tokenRange);
    auto run = [&](const Side& side) {
        ForwardRequest request = side.request;
        request.input = out.input;
        ForwardResult r = runForward(request);
        if (!r.error.empty())
            throw FormatError(side.file + ": cannot run under " + request.semantics +
                              " semantics: " + r.error);
        if (r.outputs.empty()) throw FormatError(side.file + ": the model has no layers");
        return r.outputs;
    };
    out.outputsA = run(program.a);
    out.outputsB = run(program.b);
    out.pass = true;
    for (const LayerPair& p : program.pairs) {
        if (p.stepA >= out.outputsA.size() || p.stepB >= out.outputsB.size()) continue;
        out.layers.push_back(compareArrays(p.label, out.outputsA[p.stepA], out.outputsB[p.stepB],
                                           options.tolerance));
        out.pass &= out.layers.back().pass;
    }
    out.output =
        compareArrays("output", out.outputsA.back(), out.outputsB.back(), options.tolerance);
    out.pass &= out.output.pass;
    return out;
}

}  // namespace ws::verify
