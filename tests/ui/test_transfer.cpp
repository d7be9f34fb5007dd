// SPDX-License-Identifier: GPL-3.0-or-later
// File > Transfer weights into...: a PyTorch model built in real torch (random init, the same
// models tests/formats/test_convert_torch_to_keras.py builds) is opened in the main window and
// transferred into real Keras templates through the dialog. Checked: the mapping table's rows,
// the parity result the dialog shows against an independent run of the verify core on the saved
// file, the saved weights against h5py/torch, and negative controls (a re-paired layer is shown
// as a mismatch, a wrong pair of equal shapes fails the parity check and Save is then withheld).
// libtorch is loaded only when the parity check runs. With WS_SCREENSHOT_DIR set, the dialog is
// saved as transfer_mapping.png (and the refused pairing as transfer_mismatch.png).
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QThreadPool>
#include <cmath>

#include "formats/open_model.h"
#include "inspect/latest_job.h"
#include "transfer/transfer_dialog.h"
#include "ui_test_support.h"
#include "verify/forward_program.h"
#include "verify/verify_run.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

bool processMapsMention(const char* library) {
    QFile maps(QStringLiteral("/proc/self/maps"));
    return maps.open(QIODevice::ReadOnly) && maps.readAll().contains(library);
}

QString cell(const QTableWidget* t, int row, int column) {
    const QTableWidgetItem* item = t->item(row, column);
    return item ? item->text() : QString();
}

int rowOfSource(const QTableWidget* t, const QString& unit) {
    for (int r = 0; r < t->rowCount(); ++r)
        if (cell(t, r, TransferDialog::SourceCol).startsWith(unit + QStringLiteral(" ("))) return r;
    return -1;
}

// Picks `layer` in the row's template-layer combo, as the user does.
void chooseTarget(TransferDialog* dialog, int row, const QString& layer) {
    auto* combo = qobject_cast<QComboBox*>(
        dialog->mappingTable()->cellWidget(row, TransferDialog::TargetCol));
    QVERIFY(combo);
    const int index = combo->findText(layer);
    QVERIFY2(index >= 0, qPrintable(layer));
    combo->setCurrentIndex(index);
    Q_EMIT combo->textActivated(layer);
}

}  // namespace

class TransferTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        // The module sits next to weightsmith-cli in the build tree (build/app); the loader
        // looks next to the running executable, which is build/tests/ui here.
        if (qEnvironmentVariableIsEmpty("WS_TORCH_MODULE"))
            qputenv("WS_TORCH_MODULE",
                    QDir(QCoreApplication::applicationDirPath())
                        .absoluteFilePath(QStringLiteral("../../app/libweightsmith_torch.so"))
                        .toLocal8Bit());
        modulePresent_ = QFileInfo::exists(qEnvironmentVariable("WS_TORCH_MODULE"));
        QVERIFY(dir_.isValid());
        // The matching torch models, seeded, saved as state_dicts by real torch.
        // (formatsTestDir() defines the torch models matching the Keras templates.)
        QByteArray errors;
        torchReady_ = runOraclePython(
            QStringLiteral("import sys, torch\n"
                           "sys.path.insert(0, sys.argv[1])\n"
                           "import test_convert_torch_to_keras as t\n"
                           "torch.save(t.recurrent_model('LSTM').state_dict(), sys.argv[2])\n"
                           "torch.save(t.cnn_bn_model().state_dict(), sys.argv[3])\n"),
            {formatsTestDir(), lstmSource(), cnnSource()}, nullptr, &errors);
        if (!torchReady_) qWarning("%s", errors.constData());
        window_.setQuietErrors(true);
        window_.show();
    }

    // Without the libtorch module the transfer still happens, the dialog says why the parity
    // check could not run, and saving needs the explicit "without a passing check" choice.
    // Runs before anything has loaded the module (the loader keeps the first one it loads).
    void parityCheckWithoutTheModuleSaysWhy() {
        WS_REQUIRE_FIXTURE(keras, "keras/lstm_stacked_timeseries_keras3.h5");
        requireTorchAndModule();
        const QByteArray module = qgetenv("WS_TORCH_MODULE");
        const QString missing = dir_.filePath(QStringLiteral("no-such-module.so"));
        qputenv("WS_TORCH_MODULE", missing.toLocal8Bit());
        TransferDialog* dialog = openDialog(lstmSource(), keras);
        const bool applied = dialog && applyAndWaitForAnyResult(dialog);
        qputenv("WS_TORCH_MODULE", module);
        QVERIFY(applied);
        QCOMPARE(dialog->parityTable()->rowCount(), 0);
        const QString summary = dialog->paritySummary()->text();
        QVERIFY2(summary.contains(QStringLiteral("parity check could not run")),
                 qPrintable(summary));
        QVERIFY2(summary.contains(missing), qPrintable(summary));
        QVERIFY(!dialog->saveButton()->isEnabled());
        dialog->saveAnywayBox()->setChecked(true);
        QVERIFY(dialog->saveButton()->isEnabled());
        dialog->close();
    }

    // Before any successful parity check, so that nothing has loaded libtorch into this process.
    void transfersTorchIntoKerasTemplateWithParity() {
        WS_REQUIRE_FIXTURE(keras, "keras/lstm_stacked_timeseries_keras3.h5");
        requireTorchAndModule();
        QVERIFY2(!processMapsMention("libtorch"), "libtorch loaded before any parity check");
        TransferDialog* dialog = openDialog(lstmSource(), keras);
        QVERIFY(dialog);

        // The pairing the core makes: one row per PyTorch stack level / module.
        const QTableWidget* m = dialog->mappingTable();
        QCOMPARE(m->rowCount(), 3);
        const QStringList sources = {"rnn[0] (LSTM)", "rnn[1] (LSTM)", "fc (Dense)"};
        const QStringList targets = {"lstm", "lstm_1", "dense"};
        // nn.LSTM(1, 50, num_layers=2) and Linear(50, 1) against the template's LSTM(50) x 2 and
        // Dense(1): PyTorch (4*hidden, in) weights become Keras (in, 4*hidden) kernels.
        const QStringList sourceShapes = {"(200, 1)\n(200, 50)\n(200,) + (200,)",
                                          "(200, 50)\n(200, 50)\n(200,) + (200,)", "(1, 50)\n(1,)"};
        const QStringList targetShapes = {"(1, 200)\n(50, 200)\n(200,)",
                                          "(50, 200)\n(50, 200)\n(200,)", "(50, 1)\n(1,)"};
        for (int r = 0; r < 3; ++r) {
            QCOMPARE(cell(m, r, TransferDialog::SourceCol), sources[r]);
            QCOMPARE(cell(m, r, TransferDialog::TargetCol), targets[r]);
            QCOMPARE(cell(m, r, TransferDialog::SourceShapeCol), sourceShapes[r]);
            QCOMPARE(cell(m, r, TransferDialog::TargetShapeCol), targetShapes[r]);
            QCOMPARE(cell(m, r, TransferDialog::StatusCol), QStringLiteral("ok"));
        }
        QVERIFY(
            cell(m, 0, TransferDialog::TransformCol).contains(QStringLiteral("transpose(1,0)")));
        QVERIFY(cell(m, 0, TransferDialog::TransformCol).contains(QStringLiteral("biases summed")));
        QVERIFY(!dialog->saveButton()->isEnabled());  // nothing to save before Apply

        QVERIFY(applyAndWait(dialog));
        QVERIFY2(processMapsMention("libtorch"), "the parity check ran without libtorch?");
        const QTableWidget* p = dialog->parityTable();
        QVERIFY(p->rowCount() >= 2);
        for (int r = 0; r < p->rowCount(); ++r)
            QVERIFY2(cell(p, r, TransferDialog::ResultCol) == QStringLiteral("pass"),
                     qPrintable(cell(p, r, TransferDialog::PairCol)));
        QCOMPARE(cell(p, p->rowCount() - 1, TransferDialog::PairCol), QStringLiteral("output"));
        QVERIFY(dialog->paritySummary()->text().contains(QStringLiteral("Parity: pass")));
        QVERIFY(dialog->saveButton()->isEnabled());
        saveScreenshot(dialog, QStringLiteral("transfer_mapping.png"));

        const QString out = dir_.filePath(QStringLiteral("filled.h5"));
        QVERIFY(saveAndWait(dialog, out));
        checkShownParityEqualsVerifyOf(dialog, out, lstmSource());
        // The saved weights as the real engines read them: Keras kernel = torch weight_ih^T
        // (LSTM gates i,f,g,o are Keras' i,f,c,o), bias = bias_ih + bias_hh.
        const auto kernel =
            h5pyValues(out, QStringLiteral("model_weights/lstm/sequential/lstm/lstm_cell/kernel"));
        const auto weightIh = torchValues(lstmSource(), QStringLiteral("rnn.weight_ih_l0"));
        QCOMPARE(kernel.size(), std::size_t(200));
        QCOMPARE(weightIh.size(), std::size_t(200));
        QVERIFY(kernel == weightIh);  // (1, 200) vs (200, 1): the same order
        const auto bias = h5pyValues(
            out, QStringLiteral("model_weights/lstm_1/sequential/lstm_1/lstm_cell/bias"));
        const auto bih = torchValues(lstmSource(), QStringLiteral("rnn.bias_ih_l1"));
        const auto bhh = torchValues(lstmSource(), QStringLiteral("rnn.bias_hh_l1"));
        QCOMPARE(bias.size(), std::size_t(200));
        for (std::size_t i = 0; i < bias.size(); ++i)
            QVERIFY(std::abs(bias[i] - float(bih[i] + bhh[i])) <= 1e-7);
        dialog->close();
    }

    // Negative control: a stack level re-paired with the other LSTM, whose kernel has another
    // input size, is refused by the core; the dialog marks the row and offers neither Apply
    // nor Save.
    void rePairedLayerShowsMismatch() {
        WS_REQUIRE_FIXTURE(keras, "keras/lstm_stacked_timeseries_keras3.h5");
        if (!torchReady_) QSKIP("SKIP: real torch (/usr/bin/python3) is not available");
        TransferDialog* dialog = openDialog(lstmSource(), keras);
        QVERIFY(dialog);
        QSignalSpy checked(dialog, &TransferDialog::mappingChecked);
        chooseTarget(dialog, 0, QStringLiteral("lstm_1"));
        QVERIFY(checked.wait(60000));
        const QTableWidget* m = dialog->mappingTable();
        QCOMPARE(cell(m, 0, TransferDialog::TargetCol), QStringLiteral("lstm_1"));
        QCOMPARE(cell(m, 1, TransferDialog::TargetCol), QStringLiteral("lstm"));  // swapped
        // Every row is checked on its own: both stack levels are refused with their own reason
        // (level 0 reads 1 feature, level 1 reads 50), the Dense pair still converts, and every
        // row lists its tensors and shapes.
        const QStringList ownKernel = {QStringLiteral("rnn.weight_ih_l0 (200, 1)"),
                                       QStringLiteral("rnn.weight_ih_l1 (200, 50)")};
        for (int r = 0; r < m->rowCount(); ++r) {
            const bool level = r < 2;
            QCOMPARE(cell(m, r, TransferDialog::StatusCol),
                     level ? QStringLiteral("mismatch") : QStringLiteral("ok"));
            QVERIFY(!cell(m, r, TransferDialog::TensorsCol).isEmpty());
            QVERIFY(!cell(m, r, TransferDialog::TargetShapeCol).isEmpty());
            const QString reason = m->item(r, TransferDialog::StatusCol)->toolTip();
            QCOMPARE(reason.isEmpty(), !level);
            if (!level) continue;
            QVERIFY2(reason.contains(ownKernel[r]), qPrintable(reason));
            QVERIFY2(reason.contains(QLatin1Char('\'') + cell(m, r, TransferDialog::TargetCol) +
                                     QLatin1Char('\'')),
                     qPrintable(reason));
        }
        QCOMPARE(cell(m, 0, TransferDialog::TargetShapeCol).section(QLatin1Char('\n'), 0, 0),
                 QStringLiteral("(50, 200)"));  // lstm_1's kernel
        // The columns use the dialog's width.
        QCOMPARE(m->horizontalHeader()->length(), m->viewport()->width());
        const QString message = dialog->messageLabel()->text();
        QVERIFY2(message.contains(QStringLiteral("(200, 1)")) ||
                     message.contains(QStringLiteral("(200, 50)")),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("'lstm_1'")), qPrintable(message));
        QVERIFY(!dialog->applyButton()->isEnabled());
        QVERIFY(!dialog->saveButton()->isEnabled());
        saveScreenshot(dialog, QStringLiteral("transfer_mismatch.png"));
        QVERIFY(!dialog->saveTo(dir_.filePath(QStringLiteral("refused.h5"))));
        QVERIFY(!QFileInfo::exists(dir_.filePath(QStringLiteral("refused.h5"))));

        // Choosing the right layer again restores the pairing.
        chooseTarget(dialog, 0, QStringLiteral("lstm"));
        QVERIFY(checked.wait(60000));
        for (int r = 0; r < m->rowCount(); ++r)
            QCOMPARE(cell(m, r, TransferDialog::StatusCol), QStringLiteral("ok"));
        QVERIFY(dialog->applyButton()->isEnabled());
        dialog->close();
    }

    // Negative control: two BatchNormalization layers of equal shapes swapped convert fine, but
    // the parity check fails and Save is withheld until the user confirms.
    void wrongPairOfEqualShapesFailsParity() {
        WS_REQUIRE_FIXTURE(keras, "keras/cnn_bn_keras2_alexfox.h5");
        requireTorchAndModule();
        TransferDialog* dialog = openDialog(cnnSource(), keras);
        QVERIFY(dialog);
        QTableWidget* m = dialog->mappingTable();
        const int bn2 = rowOfSource(m, QStringLiteral("bn2"));
        const int bn3 = rowOfSource(m, QStringLiteral("bn3"));
        QVERIFY(bn2 >= 0 && bn3 >= 0);
        const QString bn3Target = cell(m, bn3, TransferDialog::TargetCol);
        QSignalSpy checked(dialog, &TransferDialog::mappingChecked);
        chooseTarget(dialog, bn2, bn3Target);
        QVERIFY(checked.wait(60000));
        QCOMPARE(cell(m, bn2, TransferDialog::TargetCol), bn3Target);
        QCOMPARE(cell(m, bn2, TransferDialog::StatusCol), QStringLiteral("ok"));  // shapes agree

        QVERIFY(applyAndWait(dialog));
        const QTableWidget* p = dialog->parityTable();
        QCOMPARE(cell(p, p->rowCount() - 1, TransferDialog::ResultCol), QStringLiteral("FAIL"));
        QVERIFY(dialog->paritySummary()->text().contains(QStringLiteral("Parity: FAIL")));
        QVERIFY(!dialog->saveButton()->isEnabled());
        const QString out = dir_.filePath(QStringLiteral("wrong.h5"));
        QVERIFY(!dialog->saveTo(out));
        QVERIFY(!QFileInfo::exists(out));
        // Saving anyway is an explicit choice; the numbers shown are still verify's.
        dialog->saveAnywayBox()->setChecked(true);
        QVERIFY(dialog->saveButton()->isEnabled());
        QVERIFY(saveAndWait(dialog, out));
        checkShownParityEqualsVerifyOf(dialog, out, cnnSource());
        dialog->close();
    }

    // The other way round: a Keras model into a PyTorch template (the torch state_dict above).
    void transfersKerasIntoTorchTemplate() {
        WS_REQUIRE_FIXTURE(keras, "keras/lstm_stacked_timeseries_keras3.h5");
        requireTorchAndModule();
        TransferDialog* dialog = openDialog(keras, lstmSource());
        QVERIFY(dialog);
        const QTableWidget* m = dialog->mappingTable();
        QVERIFY2(m->rowCount() > 0, qPrintable(dialog->messageLabel()->text()));
        for (int r = 0; r < m->rowCount(); ++r)
            QCOMPARE(cell(m, r, TransferDialog::StatusCol), QStringLiteral("ok"));
        QVERIFY(applyAndWait(dialog));
        QVERIFY2(dialog->paritySummary()->text().contains(QStringLiteral("Parity: pass")),
                 qPrintable(dialog->paritySummary()->text()));
        const QString out = dir_.filePath(QStringLiteral("filled.pth"));
        QVERIFY(saveAndWait(dialog, out));
        // torch reads the Keras kernel, transposed, where the template had its own weights.
        const auto weightIh = torchValues(out, QStringLiteral("rnn.weight_ih_l0"));
        const auto kernel = h5pyValues(
            keras, QStringLiteral("model_weights/lstm/sequential/lstm/lstm_cell/kernel"));
        QCOMPARE(weightIh.size(), std::size_t(200));
        QVERIFY(weightIh == kernel);  // (200, 1) vs (1, 200): the same order
        dialog->close();
    }

    // The input shape typed in the dialog is the one the parity check runs with; a malformed one
    // is refused before anything runs.
    void inputShapeIsUsedByTheParityCheck() {
        WS_REQUIRE_FIXTURE(keras, "keras/lstm_stacked_timeseries_keras3.h5");
        requireTorchAndModule();
        TransferDialog* dialog = openDialog(lstmSource(), keras);
        QVERIFY(dialog);
        dialog->inputShapeEdit()->setText(QStringLiteral("60, x"));
        QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
        QVERIFY(!dialog->busy());
        QVERIFY2(dialog->paritySummary()->text().contains(QStringLiteral("input shape")),
                 qPrintable(dialog->paritySummary()->text()));
        dialog->inputShapeEdit()->setText(QStringLiteral("17,1"));
        QVERIFY(applyAndWait(dialog));
        QVERIFY2(dialog->paritySummary()->text().contains(QStringLiteral("(4, 17, 1)")),
                 qPrintable(dialog->paritySummary()->text()));
        const QString out = dir_.filePath(QStringLiteral("filled17.h5"));
        QVERIFY(saveAndWait(dialog, out));
        checkShownParityEqualsVerifyOf(dialog, out, lstmSource(), {17, 1});
        dialog->close();
    }

    // Cancel while the transfer and parity check run: the result is discarded, nothing shown or
    // saved.
    void cancelDiscardsTheResult() {
        WS_REQUIRE_FIXTURE(keras, "keras/lstm_stacked_timeseries_keras3.h5");
        requireTorchAndModule();
        TransferDialog* dialog = openDialog(lstmSource(), keras);
        QVERIFY(dialog);
        QSignalSpy finished(dialog, &TransferDialog::parityFinished);
        QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
        QVERIFY(dialog->busy());
        QVERIFY(dialog->cancelButton()->isEnabled());
        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
        QVERIFY(!dialog->busy());
        longJobPool()->waitForDone();  // the abandoned worker has finished
        QCoreApplication::processEvents();
        QCOMPARE(finished.count(), 0);
        QCOMPARE(dialog->parityTable()->rowCount(), 0);
        QVERIFY(!dialog->saveButton()->isEnabled());
        QVERIFY(dialog->applyButton()->isEnabled());
        dialog->close();
    }

    void cleanupTestCase() {
        longJobPool()->waitForDone();
        viewThreadPool()->waitForDone();
    }

  private:
    QString lstmSource() const { return dir_.filePath(QStringLiteral("lstm_torch.pth")); }
    QString cnnSource() const { return dir_.filePath(QStringLiteral("cnn_bn_torch.pth")); }

    void requireTorchAndModule() {
        if (!torchReady_) QSKIP("SKIP: real torch (/usr/bin/python3) is not available");
        if (!modulePresent_)
            QSKIP(qPrintable(QStringLiteral("SKIP: the libtorch module %1 was not built")
                                 .arg(qEnvironmentVariable("WS_TORCH_MODULE"))));
    }

    // Opens the torch file in the window, then File > Transfer weights into... with the template
    // picked and the default pairing checked.
    TransferDialog* openDialog(const QString& source, const QString& keras) {
        ModelPage* page = openAndWait(window_, source);
        if (!page) return nullptr;
        QAction* action = window_.findChild<QAction*>(QStringLiteral("actionTransferInto"));
        if (!action) return nullptr;
        action->trigger();
        auto dialogs = window_.findChildren<TransferDialog*>();
        TransferDialog* dialog = nullptr;
        for (TransferDialog* d : dialogs)
            if (d->isVisible()) dialog = d;
        if (!dialog) return nullptr;
        QSignalSpy checked(dialog, &TransferDialog::mappingChecked);
        dialog->setTemplateFile(keras);
        if (!checked.wait(60000)) return nullptr;
        if (!dialog->messageLabel()->text().isEmpty() && dialog->mappingTable()->rowCount() == 0)
            qWarning("refused: %s", qPrintable(dialog->messageLabel()->text()));
        return dialog;
    }

    // Presses Apply (Cancel must be offered while it runs) and waits for the dialog's result.
    bool applyAndWaitForAnyResult(TransferDialog* dialog) {
        QSignalSpy finished(dialog, &TransferDialog::parityFinished);
        if (!dialog->applyButton()->isEnabled()) return false;
        QTest::mouseClick(dialog->applyButton(), Qt::LeftButton);
        if (!dialog->cancelButton()->isEnabled()) return false;
        return finished.wait(300000) || !finished.isEmpty();
    }

    bool applyAndWait(TransferDialog* dialog) {
        if (!applyAndWaitForAnyResult(dialog)) return false;
        if (dialog->parityTable()->rowCount() == 0)
            qWarning("no parity result: %s", qPrintable(dialog->paritySummary()->text()));
        return dialog->parityTable()->rowCount() > 0;
    }

    // Save as... to `out`, waiting for the worker; false when not offered or failed.
    bool saveAndWait(TransferDialog* dialog, const QString& out) {
        QSignalSpy done(dialog, &TransferDialog::saveFinished);
        if (!dialog->saveTo(out)) return false;
        if (!done.wait(120000) && done.isEmpty()) return false;
        if (!done.first().at(0).toBool())
            qWarning("not saved: %s", qPrintable(done.first().at(1).toString()));
        return done.first().at(0).toBool() && QFileInfo::exists(out);
    }

    // The differences the dialog shows are what the verify core computes for the saved file
    // against the source (Keras side first, default options as the dialog's).
    void checkShownParityEqualsVerifyOf(TransferDialog* dialog, const QString& saved,
                                        const QString& source,
                                        const std::vector<std::int64_t>& inputShape = {}) {
        const auto keras = openModel(saved.toStdString());
        const auto torch = openModel(source.toStdString());
        const verify::ForwardProgram program = verify::buildForwardProgram(*keras, *torch);
        verify::VerifyOptions options;
        options.tolerance = dialog->toleranceBox()->value();
        options.inputShape = inputShape;
        const verify::VerifyOutcome outcome = verify::runVerify(program, options);
        std::vector<verify::Difference> expected = outcome.layers;
        expected.push_back(outcome.output);
        const QTableWidget* p = dialog->parityTable();
        QCOMPARE(p->rowCount(), int(expected.size()));
        for (int r = 0; r < p->rowCount(); ++r) {
            const verify::Difference& d = expected[r];
            if (r + 1 < p->rowCount())
                QCOMPARE(cell(p, r, TransferDialog::PairCol), QString::fromStdString(d.label));
            QCOMPARE(p->item(r, TransferDialog::MaxAbsCol)->data(Qt::UserRole).toDouble(),
                     d.maxAbs);
            QCOMPARE(p->item(r, TransferDialog::MaxRelCol)->data(Qt::UserRole).toDouble(),
                     d.maxRel);
            QCOMPARE(cell(p, r, TransferDialog::ResultCol) == QStringLiteral("pass"), d.pass);
        }
    }

    void saveScreenshot(TransferDialog* dialog, const QString& name) {
        const QString dir = qEnvironmentVariable("WS_SCREENSHOT_DIR");
        if (dir.isEmpty()) return;
        QDir().mkpath(dir);
        dialog->raise();
        QTest::qWait(200);  // let the window system paint the dialog before grabbing it
        QVERIFY(dialog->grab().save(QDir(dir).filePath(name)));
    }

    QTemporaryDir dir_;
    MainWindow window_;
    bool torchReady_ = false;
    bool modulePresent_ = false;
};

WS_QTEST_MAIN(TransferTest)
#include "test_transfer.moc"
