// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit_command.h"

#include <cstdio>
#include <memory>

#include "command_support.h"
#include "edit/edit_session.h"
#include "edit/paste_source.h"
#include "edit/region.h"
#include "edit_options.h"
#include "model/error.h"
#include "save/save_model.h"

namespace wscli {

namespace {

// The edit one command-line step asks for, without its paste block (loaded later: a missing
// file is an input problem, not a usage error). Throws FormatError on a malformed step.
struct PlannedEdit {
    ws::Edit edit;
    std::string pasteFile;  // --paste: the block's source
};

PlannedEdit toEdit(const EditStep& step) {
    const bool zero = step.flag == "--zero";
    const ws::Assignment a = ws::parseAssignment(step.text, zero);
    if (zero) {
        if (a.hasValue) throw ws::FormatError("--zero takes no value");
        return {ws::Edit::set(a.path, a.region, ws::Scalar::fromInt(0)), {}};
    }
    if (step.flag == "--paste") {
        return {ws::Edit::paste(a.path, a.region, {}), a.value};
    }
    const ws::Scalar v = ws::parseScalar(a.value);
    if (step.flag == "--scale") return {ws::Edit::scale(a.path, a.region, v), {}};
    if (step.flag == "--add") return {ws::Edit::add(a.path, a.region, v), {}};
    return {ws::Edit::set(a.path, a.region, v), {}};  // --set, --fill
}

}  // namespace

int runEdit(const std::vector<std::string>& args) {
    std::string error;
    const std::optional<EditOptions> parsed = parseEditOptions(args, error);
    if (!parsed) return reportUsageError("edit", error, kEditUsage);
    const EditOptions& opt = *parsed;
    if (opt.help) {
        std::fputs(kEditUsage, stdout);
        return kExitOk;
    }
    // Parse every step before opening anything, so a typo costs no work.
    std::vector<PlannedEdit> edits;
    for (const EditStep& step : opt.steps) {
        try {
            edits.push_back(toEdit(step));
        } catch (const ws::FormatError& e) {
            std::fprintf(stderr, "weightsmith-cli edit: %s %s: %s\n", step.flag.c_str(),
                         step.text.c_str(), e.what());
            return kExitUsage;
        }
    }
    for (PlannedEdit& p : edits) {
        if (p.pasteFile.empty()) continue;
        try {
            p.edit.block = ws::loadPasteFile(p.pasteFile);
        } catch (const ws::FormatError& e) {
            return reportFailure(e.what());
        } catch (const std::exception& e) {
            return reportFailure(p.pasteFile, e.what());
        }
    }
    const std::shared_ptr<ws::Model> model = openModelOrReport(opt.file);
    if (!model) return kExitFailed;
    ws::EditSession session(model);
    for (std::size_t i = 0; i < edits.size(); ++i) {
        try {
            const ws::EditResult& r = session.apply(edits[i].edit);
            std::printf("%s\n", r.summary.c_str());
        } catch (const ws::FormatError& e) {
            return reportFailure(opt.file,
                                 opt.steps[i].flag + " " + opt.steps[i].text + ": " + e.what());
        } catch (const std::bad_alloc&) {
            return reportFailure(opt.file, "out of memory while editing");
        } catch (const std::exception& e) {
            return reportFailure(opt.file,
                                 opt.steps[i].flag + " " + opt.steps[i].text + ": " + e.what());
        }
    }
    try {
        ws::SaveOptions options;
        options.legacyAsZip = opt.legacyAsZip;
        const ws::SaveReport report = ws::saveModel(*model, opt.output, options);
        std::printf("saved %s (%s, %zu storage%s rewritten%s%s)\n", opt.output.c_str(),
                    report.format.c_str(), report.storagesRewritten,
                    report.storagesRewritten == 1 ? "" : "s", report.note.empty() ? "" : "; ",
                    report.note.c_str());
    } catch (const ws::FormatError& e) {
        return reportFailure(e.what());
    } catch (const std::bad_alloc&) {
        return reportFailure(opt.output, "out of memory while saving");
    } catch (const std::exception& e) {  // never abort on a library exception
        return reportFailure(opt.output, e.what());
    }
    return kExitOk;
}

}  // namespace wscli
