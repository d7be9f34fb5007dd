// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert_command.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "command_support.h"
#include "convert/keras_to_torch.h"
#include "convert/template_transfer.h"
#include "convert/torch_module_emitter.h"
#include "convert/torch_to_keras_model.h"
#include "convert/torch_to_keras_transfer.h"
#include "export/export_model.h"
#include "formats/open_model.h"
#include "io/atomic_file.h"
#include "model/error.h"
#include "save/save_model.h"
#include "verify/forward_program.h"
#include "verify/verify_report.h"
#include "verify_command.h"

namespace wscli {

namespace {

const char* const kConvertUsage =
    "usage: weightsmith-cli convert SRC.{h5,keras} -o OUT.pth [--emit-module model.py]\n"
    "                               [--report-json REPORT.json] [--config ARCH.json]\n"
    "       weightsmith-cli convert SRC.pth -o OUT.h5 [--report-json REPORT.json]\n"
    "       weightsmith-cli convert SRC.pth --template T.{h5,keras} -o OUT.{h5,keras}\n"
    "                               [--mapping MAP.json] [--report-json REPORT.json]\n"
    "\n"
    "PyTorch SRC without --template: a Keras 2 full-model OUT.h5 with a generated model_config,\n"
    "for the seed-style model (nn.LSTM/GRU -> [Dropout] -> nn.Linear on the last step) and whole\n"
    "pickled nn.Sequential models of Linear layers and activations; others need a template.\n"
    "\n"
    "With --template: PyTorch -> Keras. The PyTorch weights (state_dict, whole module or\n"
    "checkpoint) are written into a copy of the Keras template of the same architecture; its\n"
    "weighted layers are paired by order + kind and checked by shape, everything else in the\n"
    "template (config, optimizer, attributes) is kept. A PyTorch num_layers=N recurrent module\n"
    "gives the units 'lstm[0]'..'lstm[N-1]', one per Keras layer.\n"
    "\n"
    "Converts a Keras model to a PyTorch state_dict. Each weighted Keras layer becomes one\n"
    "PyTorch module named after the layer ('dense_1.weight', 'lstm.weight_ih_l0',\n"
    "'bidirectional_1.bias_hh_l0_reverse'); stacked recurrent layers of one kind and size\n"
    "become one num_layers module. The mapping report (Keras tensor -> PyTorch name, transform,\n"
    "shapes, warnings) is printed on stdout.\n"
    "\n"
    "options:\n"
    "  -o, --output OUT       the state_dict to write (.pth / .pt; .safetensors also works)\n"
    "  --emit-module FILE.py  also write PyTorch source of an nn.Module that loads OUT with\n"
    "                         load_state_dict(strict=True) (Sequential / chain-shaped models)\n"
    "  --class-name NAME      the generated class (default ConvertedModel)\n"
    "  --report-json FILE     the mapping report as JSON\n"
    "  --config ARCH.json     the architecture (model.to_json()) for weights-only files, or to\n"
    "                         override the file's own config\n"
    "  --no-merge-stacked     keep every recurrent layer a module of its own\n"
    "  --debug-break-rule R   TEST ONLY: apply a deliberately wrong rule (gru-no-gate-swap,\n"
    "                         lstm-bias-copied) so tests can prove the forward check notices\n"
    "  --template T           the file of the other framework to fill: a Keras .h5 full model /\n"
    "                         .keras for a PyTorch SRC, a PyTorch .pth/.pt for a Keras SRC\n"
    "  --mapping MAP.json     with --template: explicit pairs {\"source layer\": \"template "
    "layer\"}\n"
    "  --no-verify            skip the forward check (below)\n"
    "  --input-shape D,...    the input shape (without batch) for the forward check when the\n"
    "                         Keras config leaves a dimension open (e.g. the time steps)\n"
    "  -h, --help             show this help\n"
    "\n"
    "After writing OUT, convert runs the forward check of `weightsmith-cli verify SRC OUT`\n"
    "(seeded input, both sides under their own framework's semantics, tolerance 1e-5) when it\n"
    "can: the libtorch module is present, the input shape is known and every layer is supported;\n"
    "otherwise it says in one line why not. The result goes into --report-json as \"verify\".\n"
    "\n"
    "exit status: 0 ok, 1 unreadable input, refused conversion or failed write, 2 usage error,\n"
    "3 written but the forward check found outputs beyond tolerance\n";

struct ConvertArgs {
    std::string file, output, module, reportJson, config, className = "ConvertedModel";
    std::string templateFile, mapping;
    std::vector<std::string> brokenRules;
    std::vector<std::int64_t> inputShape;  // for the forward check
    bool mergeStacks = true, help = false, verify = true;
};

std::optional<ConvertArgs> parse(const std::vector<std::string>& args, std::string& error) {
    ConvertArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto is = [&](const std::string& flag) {
            return a == flag || a.compare(0, flag.size() + 1, flag + "=") == 0;
        };
        auto value = [&](const std::string& flag, std::string& into) -> bool {
            if (a.size() > flag.size() && a.compare(0, flag.size() + 1, flag + "=") == 0)
                into = a.substr(flag.size() + 1);
            else if (i + 1 < args.size())
                into = args[++i];
            if (into.empty()) error = flag + " needs a value";
            return !into.empty();
        };
        std::string v;
        if (a == "-o" || is("--output")) {
            if (!value(a == "-o" ? "-o" : "--output", out.output)) return std::nullopt;
        } else if (is("--emit-module")) {
            if (!value("--emit-module", out.module)) return std::nullopt;
        } else if (is("--report-json")) {
            if (!value("--report-json", out.reportJson)) return std::nullopt;
        } else if (is("--config")) {
            if (!value("--config", out.config)) return std::nullopt;
        } else if (is("--template")) {
            if (!value("--template", out.templateFile)) return std::nullopt;
        } else if (is("--mapping")) {
            if (!value("--mapping", out.mapping)) return std::nullopt;
        } else if (is("--class-name")) {
            if (!value("--class-name", out.className)) return std::nullopt;
        } else if (is("--debug-break-rule")) {
            if (!value("--debug-break-rule", v)) return std::nullopt;
            if (v != "gru-no-gate-swap" && v != "lstm-bias-copied") {
                error = "unknown --debug-break-rule '" + v + "'";
                return std::nullopt;
            }
            out.brokenRules.push_back(v);
        } else if (is("--input-shape")) {
            if (!value("--input-shape", v) || !parseInputShape(v, out.inputShape, error))
                return std::nullopt;
        } else if (a == "--no-verify") {
            out.verify = false;
        } else if (a == "--no-merge-stacked") {
            out.mergeStacks = false;
        } else if (a == "-h" || a == "--help") {
            out.help = true;
        } else if (!a.empty() && a[0] == '-') {
            error = "unknown option '" + a + "'";
            return std::nullopt;
        } else if (!out.file.empty()) {
            error = "more than one SRC given ('" + out.file + "' and '" + a + "')";
            return std::nullopt;
        } else {
            out.file = a;
        }
    }
    if (out.help) return out;
    if (out.file.empty())
        error = "no SRC given";
    else if (out.output.empty())
        error = "no output given: add -o OUT.pth";
    else if (!out.mapping.empty() && out.templateFile.empty())
        error = "--mapping needs --template";
    else if (!out.templateFile.empty() && (!out.module.empty() || !out.config.empty()))
        error = "--emit-module and --config are for Keras sources, not with --template";
    if (!error.empty()) return std::nullopt;
    return out;
}

void writeText(const std::string& path, const std::string& text) {
    ws::AtomicFile f(path);
    f.write(text.data(), text.size());
    f.commit();
}

nlohmann::json readJsonFile(const std::string& path, const char* flag) {
    std::ifstream in(path);
    if (!in) throw ws::FormatError(std::string("cannot read ") + flag + " file '" + path + "'");
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded())
        throw ws::FormatError(std::string(flag) + " file '" + path + "' is not valid JSON");
    return doc;
}

// SRC's weights into the template of the other framework (PyTorch -> Keras or Keras -> PyTorch),
// saved as OUT. Returns the report JSON.
nlohmann::json transferIntoTemplate(const ConvertArgs& a, const ws::Model& source) {
    ws::convert::TransferOptions options;
    if (!a.mapping.empty())
        options.mapping = ws::convert::parseTransferMapping(readJsonFile(a.mapping, "--mapping"));
    // The template's tensors are edited in memory, then saved as OUT.
    const ws::convert::FilledTemplate filled =
        ws::convert::fillTemplate(source, a.templateFile, options);
    const ws::convert::TransferResult& result = filled.report;
    const ws::SaveReport saved = ws::saveModel(*filled.model, a.output);
    std::fputs(ws::convert::transferReportText(result).c_str(), stdout);
    for (const std::string& w : result.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    std::printf("wrote %zu tensor%s into a copy of %s: %s (%s)\n", result.tensorsWritten,
                result.tensorsWritten == 1 ? "" : "s", a.templateFile.c_str(), a.output.c_str(),
                saved.format.c_str());
    return ws::convert::transferReportJson(result);
}

// PyTorch SRC without a template: a generated Keras full model (seed-style or nn.Sequential).
nlohmann::json generateKeras(const ConvertArgs& a, const ws::Model& source) {
    if (!a.module.empty() || !a.config.empty())
        throw ws::FormatError(
            "--emit-module/--config: convert reads Keras files for these options; this SRC is " +
            source.format + " (PyTorch -> Keras: -o OUT.h5, or --template T.h5)");
    const std::string& out = a.output;
    if (out.size() < 3 || out.compare(out.size() - 3, 3, ".h5") != 0)
        throw ws::FormatError(
            "PyTorch -> Keras writes a Keras 2 full-model .h5 (-o OUT.h5), not '" + out + "'");
    const ws::convert::TransferResult result = ws::convert::writeGeneratedKerasModel(source, out);
    std::fputs(ws::convert::transferReportText(result).c_str(), stdout);
    std::printf("wrote %zu tensor%s and a generated model_config to %s (keras-h5)\n",
                result.tensorsWritten, result.tensorsWritten == 1 ? "" : "s", out.c_str());
    return ws::convert::transferReportJson(result);
}

std::string baseName(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Keras SRC without a template: the PyTorch state_dict (+ the generated module source).
nlohmann::json convertKerasSource(const ConvertArgs& a, const ws::Model& source,
                                  const nlohmann::json& architecture) {
    ws::convert::KerasToTorchOptions options;
    options.architecture = architecture;
    options.plan.mergeStacks = a.mergeStacks;
    options.engine.brokenRules.insert(a.brokenRules.begin(), a.brokenRules.end());
    const ws::convert::KerasToTorchResult result =
        ws::convert::convertKerasToTorch(source, options);
    std::string module;
    if (!a.module.empty()) {
        ws::convert::EmitOptions emit;
        emit.className = a.className;
        emit.sourceFile = baseName(a.file);
        emit.stateDictFile = baseName(a.output);
        module = ws::convert::emitTorchModule(result, emit);  // refuses before anything is written
    }
    const ws::ExportReport report = ws::exportModel(*result.stateDict, a.output);
    if (!module.empty()) writeText(a.module, module);
    std::fputs(ws::convert::mappingReportText(result).c_str(), stdout);
    for (const std::string& w : result.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    std::printf("wrote %zu tensor%s to %s (%s)%s%s\n", report.tensors,
                report.tensors == 1 ? "" : "s", a.output.c_str(), report.format.c_str(),
                module.empty() ? "" : ", module source to ", a.module.c_str());
    return ws::convert::mappingReportJson(result);
}

// A one-line reason (the loader's message lists every place it looked, one per line).
std::string oneLine(std::string text) {
    for (std::size_t p = text.find('\n'); p != std::string::npos; p = text.find('\n', p))
        text.replace(p, 1, "; ");
    return text;
}

// The forward check of SRC against the written OUT (what `verify SRC OUT` does), recorded in
// report["verify"]. The conversion itself succeeded, so a check that cannot run (no libtorch
// module, an open input dimension, a layer verify lacks) only says why; outputs beyond
// tolerance make the exit status kExitBeyondTolerance.
int checkConversion(const ConvertArgs& a, const ws::Model& source,
                    const nlohmann::json& architecture, nlohmann::json& report) {
    auto notRun = [&](const std::string& why) {
        std::printf("verify: not run: %s\n", why.c_str());
        report["verify"] = ws::verify::verifyNotRunJson(why);
        return kExitOk;
    };
    if (!a.verify) return notRun("--no-verify");
    ws::verify::VerifyOptions options;
    options.inputShape = a.inputShape;
    ws::verify::ForwardProgram program;
    ws::verify::VerifyOutcome outcome;
    try {
        const std::unique_ptr<ws::Model> written = ws::openModel(a.output);
        program = ws::verify::buildForwardProgram(source, *written, architecture);
        outcome = ws::verify::runVerify(program, options);
    } catch (const ws::FormatError& e) {
        return notRun(oneLine(e.what()));
    }
    std::printf("forward check (weightsmith-cli verify %s %s):\n", a.file.c_str(),
                a.output.c_str());
    printVerifyReport(program, outcome, options);
    report["verify"] = ws::verify::verifyOutcomeJson(program, outcome, options);
    if (outcome.pass) return kExitOk;
    const std::string failing = ws::verify::failingSummary(outcome);
    std::fprintf(stderr,
                 "weightsmith-cli: %s: written to %s, but the forward check failed: %s beyond "
                 "tolerance %g\n",
                 a.file.c_str(), a.output.c_str(), failing.c_str(), options.tolerance);
    return kExitBeyondTolerance;
}

}  // namespace

int runConvert(const std::vector<std::string>& args) {
    std::string error;
    const std::optional<ConvertArgs> parsed = parse(args, error);
    if (!parsed) {
        std::fprintf(stderr, "weightsmith-cli convert: %s\n%s", error.c_str(), kConvertUsage);
        return 2;
    }
    if (parsed->help) {
        std::fputs(kConvertUsage, stdout);
        return 0;
    }
    std::unique_ptr<ws::Model> model;
    try {
        model = ws::openModel(parsed->file);
    } catch (const ws::FormatError& e) {
        std::fprintf(stderr, "weightsmith-cli: %s\n", e.what());
        return 1;
    }
    try {
        const bool kerasSource = model->format.rfind("keras", 0) == 0;
        const nlohmann::json architecture = kerasSource && !parsed->config.empty()
                                                ? readJsonFile(parsed->config, "--config")
                                                : nlohmann::json();
        nlohmann::json report;
        if (!parsed->templateFile.empty())
            report = transferIntoTemplate(*parsed, *model);
        else if (!kerasSource)
            report = generateKeras(*parsed, *model);
        else
            report = convertKerasSource(*parsed, *model, architecture);
        // The conversion is written; the forward check decides the exit status.
        const int status = checkConversion(*parsed, *model, architecture, report);
        if (!parsed->reportJson.empty()) writeText(parsed->reportJson, report.dump(2) + "\n");
        return status;
    } catch (const ws::FormatError& e) {
        std::fprintf(stderr, "weightsmith-cli: %s: cannot convert: %s\n", parsed->file.c_str(),
                     e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "weightsmith-cli: %s: out of memory while converting\n",
                     parsed->file.c_str());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "weightsmith-cli: %s: %s\n", parsed->file.c_str(), e.what());
        return 1;
    }
    return 0;
}

}  // namespace wscli
