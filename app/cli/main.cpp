// SPDX-License-Identifier: GPL-3.0-or-later
// weightsmith-cli: the command-line face of Weightsmith. Subcommands live in their own files;
// this only dispatches and answers --help / --version.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "about/about.h"
#include "compare_command.h"
#include "convert_command.h"
#include "edit_command.h"
#include "export_command.h"
#include "inspect_command.h"
#include "verify_command.h"

namespace {

const char* const kUsage =
    "usage: weightsmith-cli <command> [options]\n"
    "\n"
    "commands:\n"
    "  inspect FILE [--json] [--stats] [--tensor PATH [--npy OUT.npy]]\n"
    "                 show the layers, tensors and values of a Keras, PyTorch or\n"
    "                 safetensors weight file\n"
    "  edit FILE --set 'PATH[i,j]=V' | --fill | --zero | --scale | --add | --paste ... -o OUT\n"
    "                 change tensor values and save in the file's own format\n"
    "  export FILE -o OUT.{pth,pt,safetensors,npz} | -o OUT.npy --tensor PATH\n"
    "                 write the tensors as a state_dict, safetensors, .npz or one .npy\n"
    "  convert SRC -o OUT [--template T] [--emit-module model.py] [--no-verify]\n"
    "                 Keras <-> PyTorch with layouts converted (into a template, or a\n"
    "                 generated model / nn.Module source), then a forward-pass check\n"
    "  verify A B [--input-shape D,...] [--tolerance T] [--seed N]\n"
    "                 run both models on seeded random input, each under its own\n"
    "                 framework's semantics, and compare layer by layer\n"
    "  compare A B [--json] [--pair A_LAYER=B_LAYER ...]\n"
    "                 pair the layers of two models (also Keras vs PyTorch) and show\n"
    "                 max |A-B|, relative Frobenius norm, cosine similarity, identical\n"
    "\n"
    "  --help         show this help (`weightsmith-cli inspect --help` for the options)\n"
    "  --version      show the version\n"
    "  --version --verbose\n"
    "                 also the licence, the formats read, the library versions in use\n"
    "                 and the third-party licences\n";

bool isVersionFlag(const std::string& a) { return a == "--version" || a == "-V"; }
bool isVerboseFlag(const std::string& a) { return a == "--verbose"; }

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string& command = args[0];
    if (command == "--help" || command == "-h" || command == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (isVersionFlag(command) || isVerboseFlag(command)) {
        // --version, optionally with --verbose (either order); nothing else.
        const bool version = std::any_of(args.begin(), args.end(), isVersionFlag);
        const bool verbose = std::any_of(args.begin(), args.end(), isVerboseFlag);
        const bool onlyThese = std::all_of(args.begin(), args.end(), [](const std::string& a) {
            return isVersionFlag(a) || isVerboseFlag(a);
        });
        if (!version || !onlyThese) {
            std::fprintf(stderr, "weightsmith-cli: --verbose goes with --version only\n%s", kUsage);
            return 2;
        }
        if (verbose)
            std::fputs(ws::about::verboseVersionText("weightsmith-cli").c_str(), stdout);
        else
            std::printf("weightsmith-cli %s\n", ws::about::version());
        return 0;
    }
    if (command == "inspect") return wscli::runInspect({args.begin() + 1, args.end()});
    if (command == "edit") return wscli::runEdit({args.begin() + 1, args.end()});
    if (command == "export") return wscli::runExport({args.begin() + 1, args.end()});
    if (command == "convert") return wscli::runConvert({args.begin() + 1, args.end()});
    if (command == "verify") return wscli::runVerify({args.begin() + 1, args.end()});
    if (command == "compare") return wscli::runCompare({args.begin() + 1, args.end()});
    std::fprintf(stderr, "weightsmith-cli: unknown command '%s'\n%s", command.c_str(), kUsage);
    return 2;
}
