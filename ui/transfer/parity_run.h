// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The work behind the transfer dialog's Apply, run on a worker thread: fill a fresh copy of the
// template with the source's weights, then run the parity check (verify/verify_run.h) between
// the source and the filled template. The check's forward passes load the libtorch module on
// first use -- only here, never when the application starts.
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>

#include "convert/torch_to_keras_transfer.h"
#include "model/model.h"
#include "transfer/mapping_check.h"
#include "verify/verify_run.h"

namespace ws::ui {

struct ParityRun {
    std::shared_ptr<Model> filled;  // the template with the transferred weights (in memory)
    convert::TransferResult report;
    verify::VerifyOutcome parity;
    QStringList notes;    // the transfer's and the forward program's notes
    QString error;        // what refused the transfer (then `filled` is null)
    QString parityError;  // why the parity check could not run after a successful transfer
    bool cancelled = false;
};

// `cancel` is looked at between the stages: the forward passes themselves cannot be interrupted,
// so a cancelled run finishes its current stage and is then abandoned by the caller.
ParityRun transferAndCheckParity(const std::shared_ptr<const Model>& source,
                                 const QString& templatePath, const TransferMapping& mapping,
                                 const verify::VerifyOptions& options,
                                 const std::atomic<bool>* cancel);

}  // namespace ws::ui
