// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspect_options.h"

#include <utility>

#include "command_support.h"

namespace wscli {

const char* const kInspectUsage =
    "usage: weightsmith-cli inspect FILE [--json] [--stats] [--tensor PATH [--npy OUT.npy]]\n"
    "\n"
    "Shows the layers, tensors and values stored in a Keras (.h5, .keras, .weights.h5),\n"
    "PyTorch (.pt, .pth, legacy, TorchScript) or safetensors file. The format is detected from\n"
    "the content. Tensor data is not read unless --stats or --npy asks for it.\n"
    "\n"
    "options:\n"
    "  --json          print one JSON object instead of the text tree\n"
    "  --stats         add min, max, mean, std and zero/NaN/Inf counts of every tensor\n"
    "                  (reads all tensor data)\n"
    "  --tensor PATH   report only the node at PATH and what is below it (the paths\n"
    "                  are those --json prints, e.g. 'fc1.weight' or\n"
    "                  'model_weights/dense/dense/kernel:0')\n"
    "  --npy OUT.npy   with --tensor: write that tensor as a NumPy .npy file\n"
    "                  (bf16 is widened to float32)\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 ok, 1 the file cannot be read, 2 usage error\n";

std::optional<InspectOptions> parseInspectOptions(const std::vector<std::string>& args,
                                                  std::string& error) {
    InspectOptions opt;
    bool onlyFiles = false;  // after "--" everything is a file name, even "-x"
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        // Both "--tensor PATH" and "--tensor=PATH".
        auto takeValue = [&](const char* flag, std::optional<std::string>& into) -> bool {
            std::string value;
            if (!takeFlagValue(args, i, flag, value, error)) return false;
            into = std::move(value);
            return true;
        };
        if (onlyFiles || a.empty() || a[0] != '-' || a == "-") {
            if (!opt.file.empty()) {
                error = "more than one FILE given ('" + opt.file + "' and '" + a + "')";
                return std::nullopt;
            }
            opt.file = a;
        } else if (a == "--") {
            onlyFiles = true;
        } else if (a == "--json") {
            opt.json = true;
        } else if (a == "--stats") {
            opt.stats = true;
        } else if (a == "-h" || a == "--help") {
            opt.help = true;
        } else if (isFlag(a, "--tensor")) {
            if (!takeValue("--tensor", opt.tensorPath)) return std::nullopt;
        } else if (isFlag(a, "--npy")) {
            if (!takeValue("--npy", opt.npyOut)) return std::nullopt;
        } else {
            error = "unknown option '" + a + "'";
            return std::nullopt;
        }
    }
    if (opt.help) return opt;
    if (opt.file.empty()) {
        error = "no FILE given";
        return std::nullopt;
    }
    if (opt.npyOut && !opt.tensorPath) {
        error = "--npy needs --tensor PATH to say which tensor to write";
        return std::nullopt;
    }
    return opt;
}

}  // namespace wscli
