// SPDX-License-Identifier: GPL-3.0-or-later
#include "verify_command.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "command_support.h"
#include "io/atomic_file.h"
#include "model/error.h"
#include "model/tensor.h"
#include "verify/input_shape.h"
#include "verify/torch_kernels_loader.h"
#include "verify/verify_report.h"
#include "verify/verify_run.h"

namespace wscli {

namespace {

const char* const kVerifyUsage =
    "usage: weightsmith-cli verify A B [--input-shape D1,D2,...] [--tolerance T] [--seed N]\n"
    "                              [--batch N] [--config ARCH.json] [--save-io OUT.json]\n"
    "\n"
    "Runs the same seeded random input through both models, each under its own framework's\n"
    "semantics (a Keras file: Keras' layers, gate orders and activations; a PyTorch state_dict:\n"
    "torch.nn's modules), and prints the max absolute / relative difference of every pair of\n"
    "weighted layers and of the output. One of A, B must be a Keras file with a model config:\n"
    "it gives the layer chain (a state_dict does not record it). The forward passes use the\n"
    "libtorch module libweightsmith_torch.so, loaded on first use.\n"
    "\n"
    "options:\n"
    "  --input-shape D,...  the input shape without the batch axis (default: the Keras config's)\n"
    "  --tolerance T        a layer passes when max|a-b| <= T * max(1, max|y|) (default 1e-5)\n"
    "  --seed N             the random input's seed (default 20261129)\n"
    "  --batch N            batch size of the random input (default 4)\n"
    "  --config ARCH.json   the Keras architecture (model.to_json()) for weights-only files\n"
    "  --save-io OUT.json   write the input and both outputs as JSON {shape, data}\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 within tolerance, 3 beyond it, 1 unreadable or unrunnable input,\n"
    "2 usage error\n";

struct VerifyArgs {
    std::string a, b, config, saveIo;
    ws::verify::VerifyOptions options;
    bool help = false;
};

bool parseNumber(const std::string& text, double& out) {
    std::istringstream in(text);
    return (in >> out) && in.eof();
}

std::optional<VerifyArgs> parse(const std::vector<std::string>& args, std::string& error) {
    VerifyArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string v;
        if (isFlag(a, "--input-shape")) {
            if (!takeFlagValue(args, i, "--input-shape", v, error) ||
                !parseInputShape(v, out.options.inputShape, error))
                return std::nullopt;
        } else if (isFlag(a, "--tolerance")) {
            if (!takeFlagValue(args, i, "--tolerance", v, error)) return std::nullopt;
            if (!parseNumber(v, out.options.tolerance) || !(out.options.tolerance >= 0)) {
                error = "--tolerance needs a non-negative number, got '" + v + "'";
                return std::nullopt;
            }
        } else if (isFlag(a, "--seed") || isFlag(a, "--batch")) {
            const std::string flag = isFlag(a, "--seed") ? "--seed" : "--batch";
            if (!takeFlagValue(args, i, flag, v, error)) return std::nullopt;
            double d = 0;
            if (!parseNumber(v, d) || d < 0 || d > 1e15 ||
                d != static_cast<double>(static_cast<std::uint64_t>(d)) ||
                (flag == "--batch" && (d < 1 || d > 4096))) {
                error = flag + " needs a whole number" + (flag == "--batch" ? " in 1..4096" : "") +
                        ", got '" + v + "'";
                return std::nullopt;
            }
            if (flag == "--seed")
                out.options.seed = static_cast<std::uint64_t>(d);
            else
                out.options.batch = static_cast<std::int64_t>(d);
        } else if (isFlag(a, "--config")) {
            if (!takeFlagValue(args, i, "--config", out.config, error)) return std::nullopt;
        } else if (isFlag(a, "--save-io")) {
            if (!takeFlagValue(args, i, "--save-io", out.saveIo, error)) return std::nullopt;
        } else if (a == "-h" || a == "--help") {
            out.help = true;
        } else if (a.size() > 1 && a[0] == '-') {
            error = "unknown option '" + a + "'";
            return std::nullopt;
        } else if (out.a.empty()) {
            out.a = a;
        } else if (out.b.empty()) {
            out.b = a;
        } else {
            error = "more than two models given ('" + a + "')";
            return std::nullopt;
        }
    }
    if (!out.help && out.b.empty()) {
        error = "verify needs two models: A and B";
        return std::nullopt;
    }
    return out;
}

}  // namespace

bool parseInputShape(const std::string& text, std::vector<std::int64_t>& shape,
                     std::string& error) {
    try {
        shape = ws::verify::parseInputShape(text);
    } catch (const ws::FormatError& e) {
        error = std::string("--input-shape: ") + e.what();
        return false;
    }
    if (shape.empty()) error = "--input-shape needs at least one dimension";
    return !shape.empty();
}

namespace {

nlohmann::json arrayJson(const ws::verify::Array& a) {
    return {{"shape", a.shape}, {"data", a.values}};
}

void saveIo(const std::string& path, const ws::verify::ForwardProgram& program,
            const ws::verify::VerifyOutcome& outcome) {
    nlohmann::json j = {{"input", arrayJson(outcome.input)},
                        {"a",
                         {{"file", program.a.file},
                          {"semantics", program.a.request.semantics},
                          {"output", arrayJson(outcome.outputsA.back())}}},
                        {"b",
                         {{"file", program.b.file},
                          {"semantics", program.b.request.semantics},
                          {"output", arrayJson(outcome.outputsB.back())}}}};
    const std::string text = j.dump() + "\n";
    ws::AtomicFile f(path);
    f.write(text.data(), text.size());
    f.commit();
}

std::string semanticsName(const ws::verify::Side& side) {
    return side.request.semantics == "keras"
               ? "Keras semantics, Keras " + std::to_string(side.request.kerasMajor)
               : "PyTorch semantics";
}

// `width`: the longest label, so that the numbers line up in columns.
void printDifference(const ws::verify::Difference& d, int width) {
    if (d.shapesDiffer) {
        std::printf("  %-*s shapes differ: %s vs %s  FAIL\n", width, d.label.c_str(),
                    ws::shapeToString(d.shapeA).c_str(), ws::shapeToString(d.shapeB).c_str());
        return;
    }
    std::printf("  %-*s max abs %-10.3g max rel %-10.3g |y| max %-10.3g %s\n", width,
                d.label.c_str(), d.maxAbs, d.maxRel, d.scale, d.pass ? "ok" : "FAIL");
}

}  // namespace

void printVerifyReport(const ws::verify::ForwardProgram& program,
                       const ws::verify::VerifyOutcome& outcome,
                       const ws::verify::VerifyOptions& options) {
    std::printf("A: %s (%s)\nB: %s (%s)\n", program.a.file.c_str(),
                semanticsName(program.a).c_str(), program.b.file.c_str(),
                semanticsName(program.b).c_str());
    std::printf("input: %s %s, seed %llu (libtorch module: %s)\n",
                ws::shapeToString(outcome.input.shape).c_str(),
                program.tokenRange > 0 ? "token ids" : "standard normal",
                static_cast<unsigned long long>(options.seed),
                ws::verify::loadedTorchModulePath().c_str());
    for (const std::string& note : program.notes) std::printf("note: %s\n", note.c_str());
    std::printf("layers:\n");
    std::size_t width = outcome.output.label.size();
    for (const auto& d : outcome.layers) width = std::max(width, d.label.size());
    for (const auto& d : outcome.layers) printDifference(d, int(width));
    printDifference(outcome.output, int(width));
    const std::string failing = ws::verify::failingSummary(outcome);
    std::printf("verify: %s (tolerance %g)%s%s\n", outcome.pass ? "OK" : "DIFFERENT",
                options.tolerance, failing.empty() ? "" : "; beyond it: ", failing.c_str());
}

namespace {

nlohmann::json readArchitecture(const std::string& path) {
    if (path.empty()) return nullptr;
    std::ifstream in(path);
    if (!in) throw ws::FormatError("cannot read --config file '" + path + "'");
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (j.is_discarded()) throw ws::FormatError("--config file '" + path + "' is not valid JSON");
    return j;
}

}  // namespace

int runVerify(const std::vector<std::string>& args) {
    std::string error;
    const std::optional<VerifyArgs> parsed = parse(args, error);
    if (!parsed) return reportUsageError("verify", error, kVerifyUsage);
    if (parsed->help) {
        std::fputs(kVerifyUsage, stdout);
        return kExitOk;
    }
    const auto a = openModelOrReport(parsed->a);
    if (!a) return kExitFailed;
    const auto b = openModelOrReport(parsed->b);
    if (!b) return kExitFailed;
    try {
        const ws::verify::ForwardProgram program =
            ws::verify::buildForwardProgram(*a, *b, readArchitecture(parsed->config));
        const ws::verify::VerifyOutcome outcome = ws::verify::runVerify(program, parsed->options);
        printVerifyReport(program, outcome, parsed->options);
        if (!parsed->saveIo.empty()) saveIo(parsed->saveIo, program, outcome);
        return outcome.pass ? kExitOk : kExitBeyondTolerance;
    } catch (const ws::FormatError& e) {
        return reportFailure(std::string("verify: ") + e.what());
    }
}

}  // namespace wscli
