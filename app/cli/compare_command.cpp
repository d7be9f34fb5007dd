// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare_command.h"

#include <cstdio>
#include <map>
#include <optional>

#include "command_support.h"
#include "compare/comparison_report.h"
#include "compare/model_comparer.h"
#include "model/error.h"

namespace wscli {

namespace {

constexpr int kExitDifferent = 3;

const char* const kCompareUsage =
    "usage: weightsmith-cli compare A B [--json] [--pair A_LAYER=B_LAYER ...]\n"
    "\n"
    "Pairs the layers of two models (by name, then by order, kind and shape) and prints, per\n"
    "tensor pair and per layer pair: max |A-B|, the relative Frobenius norm ||A-B|| / ||B||,\n"
    "the cosine similarity and whether the values are bitwise identical. A Keras file and a\n"
    "PyTorch file compare in the Keras layout: the PyTorch side's tensors go through the\n"
    "conversion rules first (transpose, gate order, summed biases).\n"
    "\n"
    "options:\n"
    "  --json              print one JSON object (see docs/compare.md)\n"
    "  --pair A=B          pair A's layer A with B's layer B (labels as printed); 'A=' leaves\n"
    "                      A's layer unpaired. Repeatable.\n"
    "  -h, --help          show this help\n"
    "\n"
    "exit status: 0 every layer paired and identical, 3 something differs or is unpaired,\n"
    "1 unreadable input or models that cannot be aligned, 2 usage error\n";

struct CompareArgs {
    std::string a, b;
    bool json = false, help = false;
    std::map<std::string, std::string> pairs;
};

std::optional<CompareArgs> parse(const std::vector<std::string>& args, std::string& error) {
    CompareArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--json") {
            out.json = true;
        } else if (isFlag(a, "--pair")) {
            std::string v;
            if (!takeFlagValue(args, i, "--pair", v, error)) return std::nullopt;
            const std::size_t eq = v.find('=');
            if (eq == std::string::npos || eq == 0) {
                error = "--pair needs A_LAYER=B_LAYER, got '" + v + "'";
                return std::nullopt;
            }
            if (!out.pairs.emplace(v.substr(0, eq), v.substr(eq + 1)).second) {
                error = "--pair names A's layer '" + v.substr(0, eq) + "' twice";
                return std::nullopt;
            }
        } else if (a == "-h" || a == "--help") {
            out.help = true;
        } else if (!takeModelPairArgument(a, out.a, out.b, error)) {
            return std::nullopt;
        }
    }
    if (!out.help && out.b.empty()) {
        error = "compare needs two models: A and B";
        return std::nullopt;
    }
    return out;
}

bool allIdentical(const ws::compare::ModelComparison& c) {
    return c.identicalLayers() == c.layers.size();
}

}  // namespace

int runCompare(const std::vector<std::string>& args) {
    std::string error;
    const std::optional<CompareArgs> parsed = parse(args, error);
    if (!parsed) return reportUsageError("compare", error, kCompareUsage);
    if (parsed->help) {
        std::fputs(kCompareUsage, stdout);
        return kExitOk;
    }
    const auto a = openModelOrReport(parsed->a);
    if (!a) return kExitFailed;
    const auto b = openModelOrReport(parsed->b);
    if (!b) return kExitFailed;
    try {
        const ws::compare::ModelComparer comparer(*a, *b);
        const ws::compare::ModelComparison result = comparer.compare(parsed->pairs);
        if (parsed->json) {
            nlohmann::json j = ws::compare::comparisonJson(result);
            j["a"] = {{"file", parsed->a}, {"format", a->format}};
            j["b"] = {{"file", parsed->b}, {"format", b->format}};
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::printf("A: %s (%s)\nB: %s (%s)\n%s", parsed->a.c_str(), a->format.c_str(),
                        parsed->b.c_str(), b->format.c_str(),
                        ws::compare::comparisonText(result).c_str());
        }
        return allIdentical(result) ? kExitOk : kExitDifferent;
    } catch (const ws::FormatError& e) {
        return reportFailure(parsed->a + " vs " + parsed->b, e.what());
    } catch (const std::bad_alloc&) {
        return reportFailure(parsed->a + " vs " + parsed->b, "out of memory");
    }
}

}  // namespace wscli
