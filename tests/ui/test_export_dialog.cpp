// SPDX-License-Identifier: GPL-3.0-or-later
// File > Export as...: the open model written through the dialog as Keras .h5, PyTorch .pth,
// safetensors and .npz, each file read back by the real engine or an independent reader
// (torch.load(weights_only=True), h5py, numpy, tests/formats/test_export.py's safetensors
// reader) and compared with what torch reads from the source. Across frameworks the core's
// conversion is used (a PyTorch model as .h5 is a Keras model with Keras layouts; a Keras model
// as .pth is converted), refusals show the core's message, and Cancel leaves no file behind.
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThreadPool>

#include "edit/model_editor.h"
#include "export/export_dialog.h"
#include "inspect/latest_job.h"
#include "ui_test_support.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

QString seedExample() {
    return QDir(QStringLiteral(WS_EXAMPLES_DIR))
        .filePath(QStringLiteral("seed_lstm_state_dict.pth"));
}

// Every exported file against torch's reading of the source state_dict. The .h5 is the generated
// Keras model: LSTM level k is layer lstm / lstm_k with kernel = weight_ih^T (Keras' gate order
// i,f,c,o is PyTorch's i,f,g,o), recurrent_kernel = weight_hh^T, bias = bias_ih + bias_hh; the
// Linear is layer "linear" with kernel = weight^T.
const char* const kCheckSeedExports = R"(import sys, h5py, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from test_export import read_safetensors
src = {k: v.numpy() for k, v in torch.load(sys.argv[2], map_location='cpu').items()}
def same(what, got):
    assert sorted(got) == sorted(src), (what, sorted(got))
    for k, v in src.items():
        assert got[k].dtype == v.dtype and got[k].shape == v.shape, (what, k, got[k].dtype, got[k].shape)
        assert np.array_equal(got[k], v), (what, k)
same('pth', {k: v.numpy() for k, v in torch.load(sys.argv[3], weights_only=True).items()})
same('safetensors', read_safetensors(sys.argv[4]))
with np.load(sys.argv[5]) as z:
    same('npz', {k: z[k] for k in z.files})
with h5py.File(sys.argv[6], 'r') as f:
    for k in range(4):
        name = 'lstm' if k == 0 else 'lstm_%d' % k
        g = f['model_weights/%s/%s' % (name, name)]
        assert np.array_equal(g['kernel:0'][()], src['lstm.weight_ih_l%d' % k].T), name
        assert np.array_equal(g['recurrent_kernel:0'][()], src['lstm.weight_hh_l%d' % k].T), name
        b = src['lstm.bias_ih_l%d' % k] + src['lstm.bias_hh_l%d' % k]
        assert np.allclose(g['bias:0'][()], b, rtol=0, atol=1e-7), name
    g = f['model_weights/linear/linear']
    assert np.array_equal(g['kernel:0'][()], src['linear.weight'].T)
    assert np.array_equal(g['bias:0'][()], src['linear.bias'])
print('OK')
)";

}  // namespace

class ExportDialogTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(dir_.isValid());
        window_.setQuietErrors(true);
        window_.show();
    }

    void exportsEveryFormatWithValuesOfTheSource() {
        if (!QFileInfo::exists(seedExample()))
            QSKIP(qPrintable(QStringLiteral("SKIP: %1 not found").arg(seedExample())));
        ExportDialog* dialog = openDialog(seedExample());
        QVERIFY(dialog);
        QStringList files;
        for (const ExportFormatInfo& f : exportFormats()) {
            const QString out = dir_.filePath(QStringLiteral("seed.") + QLatin1String(f.suffix));
            QString message;
            QVERIFY2(exportThroughDialog(dialog, f.format, out, message), qPrintable(message));
            QVERIFY2(message.startsWith(QStringLiteral("Exported")), qPrintable(message));
            QVERIFY(QFileInfo::exists(out));
            files << out;
        }
        QByteArray output, errors;
        const bool ok = runOraclePython(
            QLatin1String(kCheckSeedExports),
            {formatsTestDir(), seedExample(), files[1], files[2], files[3], files[0]}, &output,
            &errors);
        if (!ok && errors.contains("ModuleNotFoundError"))
            QSKIP(qPrintable(QStringLiteral("SKIP: oracle modules missing: ") + errors));
        QVERIFY2(ok && output.trimmed().endsWith("OK"), (output + errors).constData());
        // No temporary file is left next to the exports.
        QCOMPARE(QDir(dir_.path()).entryList(QDir::Files | QDir::Hidden).size(), files.size());
        dialog->close();
    }

    // The dialog exports the page's model as edited, not the file on disk.
    void exportsTheEditedModel() {
        if (!QFileInfo::exists(seedExample()))
            QSKIP(qPrintable(QStringLiteral("SKIP: %1 not found").arg(seedExample())));
        ModelPage* page = openAndWait(window_, seedExample());
        QVERIFY(page && page->editor());
        const QString refused =
            page->editor()->apply({Edit::set("linear.bias", RegionSpec(), Scalar::fromReal(0.5))});
        QVERIFY2(refused.isEmpty(), qPrintable(refused));
        ExportDialog* dialog = openDialog(QString());
        QVERIFY(dialog);
        const QString out = dir_.filePath(QStringLiteral("edited.npz"));
        QString message;
        QVERIFY2(exportThroughDialog(dialog, ExportFormat::Npz, out, message), qPrintable(message));
        QByteArray output, errors;
        const bool ok = runOraclePython(
            QStringLiteral(
                "import sys, numpy as np, torch\n"
                "src = torch.load(sys.argv[1])\n"
                "with np.load(sys.argv[2]) as z:\n"
                "    assert z['linear.bias'].tolist() == [0.5], z['linear.bias']\n"
                "    assert np.array_equal(z['linear.weight'], src['linear.weight'].numpy())\n"
                "print('OK')\n"),
            {seedExample(), out}, &output, &errors);
        QVERIFY2(ok && output.trimmed().endsWith("OK"), (output + errors).constData());
        dialog->close();
    }

    // A Keras model as .pth goes through the Keras -> PyTorch conversion: PyTorch names and
    // layouts, read by torch.load(weights_only=True).
    void kerasModelAsPthIsConverted() {
        WS_REQUIRE_FIXTURE(keras, "keras/lstm_stacked_timeseries_keras3.h5");
        ExportDialog* dialog = openDialog(keras);
        QVERIFY(dialog);
        const QString out = dir_.filePath(QStringLiteral("keras_converted.pth"));
        QString message;
        QVERIFY2(exportThroughDialog(dialog, ExportFormat::TorchPth, out, message),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("converted to PyTorch")), qPrintable(message));
        QByteArray output, errors;
        const bool ok = runOraclePython(
            QStringLiteral("import sys, h5py, numpy as np, torch\n"
                           "sd = torch.load(sys.argv[1], weights_only=True)\n"
                           "with h5py.File(sys.argv[2], 'r') as f:\n"
                           "    k = f['model_weights/lstm/sequential/lstm/lstm_cell/kernel'][()]\n"
                           "assert np.array_equal(sd['lstm.weight_ih_l0'].numpy(), k.T)\n"
                           "print('OK')\n"),
            {out, keras}, &output, &errors);
        QVERIFY2(ok && output.trimmed().endsWith("OK"), (output + errors).constData());
        dialog->close();
    }

    // A PyTorch CNN as Keras .h5: its state_dict does not say how the modules connect, so the
    // core refuses; the dialog shows the core's message and writes nothing.
    void refusalShowsTheCoreMessage() {
        WS_REQUIRE_FIXTURE(cnn, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
        ExportDialog* dialog = openDialog(cnn);
        QVERIFY(dialog);
        const QString out = dir_.filePath(QStringLiteral("cnn.h5"));
        QString message;
        QVERIFY(!exportThroughDialog(dialog, ExportFormat::KerasH5, out, message));
        QVERIFY2(message.contains(QStringLiteral("a template is required")), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral(".partial-")), qPrintable(message));
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(dialog->exportButton()->isEnabled());
        dialog->close();
    }

    void cancelLeavesNothing() {
        if (!QFileInfo::exists(seedExample()))
            QSKIP(qPrintable(QStringLiteral("SKIP: %1 not found").arg(seedExample())));
        ExportDialog* dialog = openDialog(seedExample());
        QVERIFY(dialog);
        QTemporaryDir empty;
        const QString out = QDir(empty.path()).filePath(QStringLiteral("cancelled.safetensors"));
        QSignalSpy finished(dialog, &ExportDialog::finished);
        dialog->setFormat(ExportFormat::Safetensors);
        dialog->setFileName(out);
        QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
        QVERIFY(dialog->busy());
        QTest::mouseClick(dialog->cancelButton(), Qt::LeftButton);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toBool(), false);
        longJobPool()->waitForDone();  // the abandoned export has ended
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QCOMPARE(finished.count(), 1);
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY2(QDir(empty.path()).entryList(QDir::Files | QDir::Hidden).isEmpty(),
                 qPrintable(QDir(empty.path()).entryList(QDir::Files | QDir::Hidden).join(' ')));
        dialog->close();
    }

    void cleanupTestCase() {
        longJobPool()->waitForDone();
        viewThreadPool()->waitForDone();
    }

  private:
    // Opens `file` (none: uses the current page) and File > Export as...
    ExportDialog* openDialog(const QString& file) {
        if (!file.isEmpty() && !openAndWait(window_, file)) return nullptr;
        QAction* action = window_.findChild<QAction*>(QStringLiteral("actionExportAs"));
        if (!action) return nullptr;
        action->trigger();
        for (ExportDialog* d : window_.findChildren<ExportDialog*>())
            if (d->isVisible()) return d;
        return nullptr;
    }

    // Chooses the format in the combo, types the file name, presses Export and waits.
    bool exportThroughDialog(ExportDialog* dialog, ExportFormat format, const QString& out,
                             QString& message) {
        dialog->formatBox()->setCurrentIndex(
            dialog->formatBox()->findData(static_cast<int>(format)));
        dialog->fileEdit()->setText(out);
        QSignalSpy finished(dialog, &ExportDialog::finished);
        QTest::mouseClick(dialog->exportButton(), Qt::LeftButton);
        if (!finished.wait(120000) && finished.isEmpty()) {
            message = QStringLiteral("no result");
            return false;
        }
        message = finished.first().at(1).toString();
        return finished.first().at(0).toBool();
    }

    QTemporaryDir dir_;
    MainWindow window_;
};

WS_QTEST_MAIN(ExportDialogTest)
#include "test_export_dialog.moc"
