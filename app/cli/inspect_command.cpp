// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspect_command.h"

#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

#include "command_support.h"
#include "inspect_options.h"
#include "io/npy_writer.h"
#include "json_report.h"
#include "model/error.h"
#include "path_suggestions.h"
#include "text_format.h"
#include "text_report.h"

namespace wscli {

namespace {

void writeOut(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

std::string notFoundMessage(const ws::Model& model, const std::string& path) {
    std::string msg = "no node with path '" + printable(path) + "'";
    const std::vector<std::string> close = suggestPaths(model, path);
    if (!close.empty()) {
        msg += " (did you mean: ";
        for (std::size_t i = 0; i < close.size(); ++i)
            msg += (i ? ", '" : "'") + printable(close[i]) + "'";
        msg += "?)";
    } else {
        msg += "; run without --tensor to list the paths";
    }
    return msg;
}

// Statistics of every tensor at or below `top`. Reads tensor data.
StatsByNode computeAllStats(const ws::Node& top) {
    StatsByNode stats;
    std::vector<const ws::Node*> todo{&top};
    while (!todo.empty()) {
        const ws::Node& n = *todo.back();
        todo.pop_back();
        for (const auto& c : n.children) todo.push_back(c.get());
        if (n.kind != ws::NodeKind::Tensor || !n.tensor) continue;
        try {
            stats.emplace(&n, ws::computeStats(*n.tensor));
        } catch (const ws::FormatError& e) {
            throw ws::FormatError("tensor '" + n.path + "': " + e.what());
        }
    }
    return stats;
}

int exportNpy(const ws::Node& node, const std::string& file, const std::string& out) {
    if (node.kind != ws::NodeKind::Tensor || !node.tensor)
        return reportFailure(file, "'" + printable(node.path) + "' is a " +
                                       ws::nodeKindName(node.kind) +
                                       ", not a tensor; --npy needs a tensor path");
    std::string note;
    try {
        note = ws::writeNpy(*node.tensor, out);
    } catch (const ws::FormatError& e) {
        return reportFailure(file,
                             "cannot export tensor '" + printable(node.path) + "': " + e.what());
    }
    if (!note.empty()) std::fprintf(stderr, "weightsmith-cli: note: %s\n", note.c_str());
    writeOut("wrote " + out + ": " + node.path + " " + ws::shapeToString(node.tensor->shape) + " " +
             ws::dtypeName(node.tensor->dtype) + "\n");
    return kExitOk;
}

}  // namespace

int runInspect(const std::vector<std::string>& args) {
    std::string error;
    const std::optional<InspectOptions> opt = parseInspectOptions(args, error);
    if (!opt) {
        std::fprintf(stderr,
                     "weightsmith-cli inspect: %s\n"
                     "usage: weightsmith-cli inspect FILE [--json] [--stats] [--tensor PATH "
                     "[--npy OUT.npy]]\n"
                     "run 'weightsmith-cli inspect --help' for details\n",
                     error.c_str());
        return kExitUsage;
    }
    if (opt->help) {
        writeOut(kInspectUsage);
        return kExitOk;
    }

    const std::string& file = opt->file;
    const std::unique_ptr<ws::Model> model = openModelOrReport(file);
    if (!model) return kExitFailed;
    try {
        const ws::Node* only = nullptr;
        if (opt->tensorPath) {
            only = model->find(*opt->tensorPath);
            if (!only) return reportFailure(file, notFoundMessage(*model, *opt->tensorPath));
        }
        if (opt->npyOut) return exportNpy(*only, file, *opt->npyOut);

        const NodeTotals totals(*model);
        StatsByNode stats;
        if (opt->stats) stats = computeAllStats(only ? *only : *model->root);
        const ReportInput in{*model, totals, opt->stats ? &stats : nullptr, only};
        writeOut(opt->json ? jsonReport(in) : textReport(in));
        std::fflush(stdout);
        return kExitOk;
    } catch (const ws::FormatError& e) {
        const std::string what = e.what();
        // Messages that carry the file name already are printed as they are.
        return what.rfind(file + ": ", 0) == 0 ? reportFailure(what) : reportFailure(file, what);
    } catch (const std::bad_alloc&) {
        return reportFailure(file, "out of memory");
    } catch (const std::exception& e) {
        return reportFailure(file, std::string("unexpected error: ") + e.what());
    }
}

}  // namespace wscli
