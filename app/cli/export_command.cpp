#include "export_command.h"

#include <cstdio>
#include <memory>
#include <optional>

#include "export/export_model.h"
#include "formats/open_model.h"
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
        auto value = [&](const std::string& flag, std::string& into) -> bool {
            if (a.size() > flag.size() && a.compare(0, flag.size() + 1, flag + "=") == 0)
                into = a.substr(flag.size() + 1);
            else if (i + 1 < args.size())
                into = args[++i];
            if (into.empty()) {
                error = flag + " needs a value";
                return false;
            }
            return true;
        };
        auto is = [&](const std::string& flag) {
            return a == flag || a.compare(0, flag.size() + 1, flag + "=") == 0;
        };
        if (a == "-o" || is("--output")) {
            if (!value(a == "-o" ? "-o" : "--output", out.output)) return std::nullopt;
        } else if (is("--tensor")) {
            if (!value("--tensor", out.tensor)) return std::nullopt;
        } else if (a == "-h" || a == "--help") {
            out.help = true;
        } else if (!a.empty() && a[0] == '-' && a != "-") {
            error = "unknown option '" + a + "'";
            return std::nullopt;
        } else if (!out.file.empty()) {
            error = "more than one FILE given ('" + out.file + "' and '" + a + "')";
            return std::nullopt;
        } else {
            out.file = a;
        }
    }
    if (out.help) return out;
    if (out.file.empty()) {
        error = "no FILE given";
        return std::nullopt;
    }
    if (out.output.empty()) {
        error = "no output given: add -o OUT.pth, .pt, .safetensors, .npz, .h5 or .npy";
        return std::nullopt;
    }
    return out;
}

}  // namespace

int runExport(const std::vector<std::string>& args) {
    std::string error;
    const std::optional<ExportArgs> parsed = parse(args, error);
    if (!parsed) {
        std::fprintf(stderr, "weightsmith-cli export: %s\n%s", error.c_str(), kExportUsage);
        return 2;
    }
    if (parsed->help) {
        std::fputs(kExportUsage, stdout);
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
        ws::ExportOptions options;
        options.tensorPath = parsed->tensor;
        const ws::ExportReport report = ws::exportModel(*model, parsed->output, options);
        for (const std::string& note : report.notes)
            std::fprintf(stderr, "note: %s\n", note.c_str());
        std::printf("exported %zu tensor%s to %s (%s)\n", report.tensors,
                    report.tensors == 1 ? "" : "s", parsed->output.c_str(), report.format.c_str());
    } catch (const ws::FormatError& e) {
        std::fprintf(stderr, "weightsmith-cli: %s: %s\n", parsed->file.c_str(), e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "weightsmith-cli: %s: out of memory while exporting\n",
                     parsed->file.c_str());
        return 1;
    } catch (const std::exception& e) {  // never abort on a library exception
        std::fprintf(stderr, "weightsmith-cli: %s: %s\n", parsed->file.c_str(), e.what());
        return 1;
    }
    return 0;
}

}  // namespace wscli
