// SPDX-License-Identifier: GPL-3.0-or-later
#include "export_command.h"

#include <cstdio>
#include <memory>
#include <optional>

#include "command_support.h"
#include "export/export_model.h"
#include "model/error.h"

namespace wscli {

namespace {

const char* const kExportUsage =
    "usage: weightsmith-cli export FILE -o OUT.{pth,pt,safetensors,npz,h5}\n"
    "       weightsmith-cli export FILE -o OUT.npy --tensor PATH\n"
    "\n"
    "Writes the tensors of FILE (any format inspect reads) to OUT, whose extension picks the\n"
    "format; tensors are named by their paths:\n"
    "  .pth, .pt       a PyTorch state_dict (loads with torch.load(OUT, weights_only=True))\n"
    "  .safetensors    safetensors\n"
    "  .npz            one .npy per tensor (numpy.load); bf16 is widened to float32\n"
    "  .npy            one tensor, chosen with --tensor PATH; bf16 is widened to float32\n"
    "  .h5             Keras weights in the Keras 2 save_weights layout (layer_names,\n"
    "                  weight_names; one group per layer or module prefix). Names and\n"
    "                  weight layouts are kept as they are: no PyTorch <-> Keras conversion\n"
    "\n"
    "options:\n"
    "  -o, --output OUT   the file to write (required)\n"
    "  --tensor PATH      the tensor for .npy\n"
    "  -h, --help         show this help\n"
    "\n"
    "exit status: 0 ok, 1 the file cannot be read or OUT cannot be written, 2 usage error\n";

struct ExportArgs {
    std::string file, output, tensor;
    bool help = false;
};

std::optional<ExportArgs> parse(const std::vector<std::string>& args, std::string& error) {
    ExportArgs out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (isOutputFlag(a)) {
            if (!takeOutputValue(args, i, out.output, error)) return std::nullopt;
        } else if (isFlag(a, "--tensor")) {
            if (!takeFlagValue(args, i, "--tensor", out.tensor, error)) return std::nullopt;
        } else if (a == "-h" || a == "--help") {
            out.help = true;
        } else if (!takeFileArgument(a, out.file, error)) {
            return std::nullopt;
        }
    }
    if (out.help) return out;
    if (!requireFileAndOutput(out.file, out.output,
                              "add -o OUT.pth, .pt, .safetensors, .npz, .h5 or .npy", error))
        return std::nullopt;
    return out;
}

}  // namespace

int runExport(const std::vector<std::string>& args) {
    std::string error;
    const std::optional<ExportArgs> parsed = parse(args, error);
    if (!parsed) return reportUsageError("export", error, kExportUsage);
    if (parsed->help) {
        std::fputs(kExportUsage, stdout);
        return kExitOk;
    }
    const std::unique_ptr<ws::Model> model = openModelOrReport(parsed->file);
    if (!model) return kExitFailed;
    try {
        ws::ExportOptions options;
        options.tensorPath = parsed->tensor;
        const ws::ExportReport report = ws::exportModel(*model, parsed->output, options);
        for (const std::string& note : report.notes)
            std::fprintf(stderr, "note: %s\n", note.c_str());
        std::printf("exported %zu tensor%s to %s (%s)\n", report.tensors,
                    report.tensors == 1 ? "" : "s", parsed->output.c_str(), report.format.c_str());
    } catch (const ws::FormatError& e) {
        return reportFailure(parsed->file, e.what());
    } catch (const std::bad_alloc&) {
        return reportFailure(parsed->file, "out of memory while exporting");
    } catch (const std::exception& e) {  // never abort on a library exception
        return reportFailure(parsed->file, e.what());
    }
    return kExitOk;
}

}  // namespace wscli
