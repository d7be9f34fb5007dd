// SPDX-License-Identifier: GPL-3.0-or-later
#include "transfer/parity_run.h"

#include <QObject>
#include <new>

#include "convert/template_transfer.h"
#include "text/gui_wording.h"
#include "verify/forward_program.h"

namespace ws::ui {

ParityRun transferAndCheckParity(const std::shared_ptr<const Model>& source,
                                 const QString& templatePath, const TransferMapping& mapping,
                                 const verify::VerifyOptions& options,
                                 const std::atomic<bool>* cancel) {
    ParityRun run;
    auto stop = [&] { return run.cancelled = cancel && cancel->load(); };
    try {
        convert::TransferOptions transfer;
        transfer.mapping = mapping;
        convert::FilledTemplate filled =
            convert::fillTemplate(*source, templatePath.toStdString(), transfer);
        run.filled = std::move(filled.model);
        run.report = std::move(filled.report);
    } catch (const std::bad_alloc&) {
        run.error = QObject::tr("out of memory during the transfer");
        return run;
    } catch (const std::exception& e) {
        run.error = inGuiWords(QString::fromStdString(e.what()));
        return run;
    }
    for (const std::string& n : run.report.notes)
        run.notes << inGuiWords(QString::fromStdString(n));
    for (const std::string& w : run.report.warnings)
        run.notes << inGuiWords(QString::fromStdString("warning: " + w));
    if (stop()) return run;
    try {
        // Side A is always the Keras model: it gives the layer chain a state_dict lacks.
        const bool kerasSource = convert::isKerasModel(*source);
        const Model& keras = kerasSource ? *source : *run.filled;
        const Model& torch = kerasSource ? *run.filled : *source;
        const verify::ForwardProgram program = verify::buildForwardProgram(keras, torch);
        for (const std::string& n : program.notes)
            run.notes << inGuiWords(QString::fromStdString(n));
        if (stop()) return run;
        run.parity = verify::runVerify(program, options);
        stop();
    } catch (const std::bad_alloc&) {
        run.parityError = QObject::tr("out of memory during the parity check");
    } catch (const std::exception& e) {
        run.parityError = inGuiWords(QString::fromStdString(e.what()));
    }
    return run;
}

}  // namespace ws::ui
