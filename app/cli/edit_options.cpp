// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit_options.h"

#include "command_support.h"

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
        bool matched = false;
        for (const char* op : kOps) {
            if (!isFlag(a, op)) continue;
            EditStep step{op, {}};
            if (!takeFlagValue(args, i, op, step.text, error)) return std::nullopt;
            opt.steps.push_back(std::move(step));
            matched = true;
            break;
        }
        if (matched) continue;
        if (isOutputFlag(a)) {
            if (!takeOutputValue(args, i, opt.output, error)) return std::nullopt;
        } else if (a == "--legacy-as-zip") {
            opt.legacyAsZip = true;
        } else if (a == "-h" || a == "--help") {
            opt.help = true;
        } else if (!takeFileArgument(a, opt.file, error)) {
            return std::nullopt;
        }
    }
    if (opt.help) return opt;
    if (!requireFileAndOutput(opt.file, opt.output, "add -o OUT (it may be FILE itself)", error))
        return std::nullopt;
    return opt;
}

}  // namespace wscli
