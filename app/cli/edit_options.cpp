#include "edit_options.h"

namespace wscli {

const char* const kEditUsage =
    "usage: weightsmith-cli edit FILE OPERATION... -o OUT\n"
    "\n"
    "Changes tensor values and saves the model in its own format (PyTorch zip, TorchScript,\n"
    "legacy PyTorch, safetensors, Keras .h5 / .weights.h5 / .keras). Only edited storages\n"
    "(HDF5 datasets) are rewritten; everything else in the\n"
    "file is kept byte for byte. OUT may be FILE itself (the file is replaced atomically).\n"
    "Operations run in the order given; values keep the tensor's dtype (f16/bf16 round to\n"
    "nearest even, integer tensors refuse fractions). Without operations the file is saved\n"
    "again unchanged (a check that Weightsmith writes it back faithfully).\n"
    "\n"
    "operations (PATH as `inspect --json` prints it; REGION NumPy-style: 3, -1, 2:5, :, ...):\n"
    "  --set 'PATH[i,j]=V'        set one element (or every element of a region) to V\n"
    "  --fill 'PATH[REGION]=V'    set every element of the region (whole tensor without [..])\n"
    "  --zero 'PATH[REGION]'      set the region to 0\n"
    "  --scale 'PATH[REGION]=F'   multiply the region by F\n"
    "  --add 'PATH[REGION]=V'     add V to the region\n"
    "  --paste 'PATH[r,c]=FILE'   write a 2-D block from FILE (.csv, .tsv or .npy) with its\n"
    "                             top-left at [r, c] (last two axes; one row/column for 1-D)\n"
    "\n"
    "options:\n"
    "  -o, --output OUT           where to save (required)\n"
    "  --legacy-as-zip            write a legacy PyTorch file in the zip layout of torch >= 1.6\n"
    "  -h, --help                 show this help\n"
    "\n"
    "exit status: 0 ok, 1 the file cannot be read, an edit is refused or saving fails,\n"
    "2 usage error\n";

std::optional<EditOptions> parseEditOptions(const std::vector<std::string>& args,
                                            std::string& error) {
    static const char* const kOps[] = {"--set", "--fill", "--zero", "--scale", "--add", "--paste"};
    EditOptions opt;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const std::string& flag, std::string& into) -> bool {
            if (a.size() > flag.size() && a.compare(0, flag.size() + 1, flag + "=") == 0) {
                into = a.substr(flag.size() + 1);
            } else if (i + 1 < args.size()) {
                into = args[++i];
            } else {
                error = flag + " needs a value";
                return false;
            }
            if (into.empty()) {
                error = flag + " needs a non-empty value";
                return false;
            }
            return true;
        };
        auto is = [&](const std::string& flag) {
            return a == flag || a.compare(0, flag.size() + 1, flag + "=") == 0;
        };
        bool matched = false;
        for (const char* op : kOps) {
            if (!is(op)) continue;
            EditStep step{op, {}};
            if (!value(op, step.text)) return std::nullopt;
            opt.steps.push_back(std::move(step));
            matched = true;
            break;
        }
        if (matched) continue;
        if (a == "-o" || is("--output")) {
            if (!value(a == "-o" ? "-o" : "--output", opt.output)) return std::nullopt;
        } else if (a == "--legacy-as-zip") {
            opt.legacyAsZip = true;
        } else if (a == "-h" || a == "--help") {
            opt.help = true;
        } else if (!a.empty() && a[0] == '-' && a != "-") {
            error = "unknown option '" + a + "'";
            return std::nullopt;
        } else if (!opt.file.empty()) {
            error = "more than one FILE given ('" + opt.file + "' and '" + a + "')";
            return std::nullopt;
        } else {
            opt.file = a;
        }
    }
    if (opt.help) return opt;
    if (opt.file.empty()) {
        error = "no FILE given";
        return std::nullopt;
    }
    if (opt.output.empty()) {
        error = "no output given: add -o OUT (it may be FILE itself)";
        return std::nullopt;
    }
    return opt;
}

}  // namespace wscli
