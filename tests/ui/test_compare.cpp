// SPDX-License-Identifier: GPL-3.0-or-later
// "Compare with...": two models open in a MainWindow, compared through the compare view. The
// table's displayed metrics (max |A-B|, relative Frobenius, cosine, identical) are checked
// against numpy's computation on what real torch reads; selecting a pair must fill the A, B and
// A-B heatmaps with A's and B's values (read by torch) and their difference; re-pairing by
// choosing B's layer must change the table. B is a copy of a real fixture edited by torch at
// test time. With WS_SCREENSHOT_DIR set, the compare view is saved as compare.png.
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>

#include "compare/compare_page.h"
#include "compare/compare_plots.h"
#include "convert/keras_to_torch.h"
#include "export/export_model.h"
#include "formats/open_model.h"
#include "heatmap/heatmap_plot.h"
#include "ui_test_support.h"

using namespace ws::test;
using ws::ui::ComparePage;

namespace {

// Writes B (A with a few regions edited) and prints numpy's metrics per module, all tensors of a
// module taken as one float64 vector, B being the reference.
const char* const kOracle = R"(
import json, sys, numpy as np, torch
a = torch.load(sys.argv[1], map_location="cpu")
b = {k: v.clone() for k, v in a.items()}
b["fc2.weight"][2:6, 4:20] += 0.05
b["fc2.weight"][7, 30] = -1.5
b["fc1.weight"][0, 0] += 0.5
b["conv1.bias"] *= 1.01
torch.save(b, sys.argv[2])
out = {}
for module in sorted({k.rsplit(".", 1)[0] for k in a}):
    keys = [k for k in a if k.rsplit(".", 1)[0] == module]
    x = np.concatenate([a[k].double().numpy().ravel() for k in keys])
    y = np.concatenate([b[k].double().numpy().ravel() for k in keys])
    d = x - y
    out[module] = {"max_abs": float(np.abs(d).max()),
                   "rel": float(np.linalg.norm(d) / np.linalg.norm(y)),
                   "cos": float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y))),
                   "identical": bool(np.array_equal(x, y))}
print(json.dumps(out))
)";

bool waitReady(ComparePage* page) {
    QSignalSpy ready(page, &ComparePage::comparisonReady);
    return ready.wait(60000) || !ready.isEmpty();
}

int rowOf(QTableWidget* table, const QString& labelA) {
    for (int r = 0; r < table->rowCount(); ++r)
        if (table->item(r, ComparePage::ColA)->text() == labelA) return r;
    return -1;
}

// Displayed numbers carry 6 significant digits.
bool closeTo(const QString& shown, double want) {
    bool ok = false;
    const double got = shown.toDouble(&ok);
    return ok && std::abs(got - want) <= 1e-5 * std::max(std::abs(want), 1e-300);
}

}  // namespace

class CompareViewTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        window_.setQuietErrors(true);
        window_.resize(1400, 900);
        window_.show();
        WS_REQUIRE_FIXTURE(a, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
        pathA_ = a;
        pathB_ = dir_.filePath(QStringLiteral("edited.pt"));
        QByteArray printed, errors;
        if (!runOraclePython(QString::fromLatin1(kOracle), {pathA_, pathB_}, &printed, &errors))
            QSKIP(qPrintable(QStringLiteral("SKIP: torch/numpy oracle unavailable: %1")
                                 .arg(QString::fromLocal8Bit(errors))));
        oracle_ = QJsonDocument::fromJson(printed).object();
        QVERIFY(!oracle_.isEmpty());

        ws::ui::ModelPage* pa = openAndWait(window_, pathA_);
        ws::ui::ModelPage* pb = openAndWait(window_, pathB_);
        QVERIFY(pa && pb);
        QSignalSpy opened(&window_, &ws::ui::MainWindow::compareOpened);
        page_ = window_.compareWith(pa, pb);
        QVERIFY(page_);
        QCOMPARE(opened.size(), 1);
        QVERIFY(waitReady(page_));
        QVERIFY2(page_->errorText().isEmpty(), qPrintable(page_->errorText()));
    }

    void tableMatchesNumpy() {
        QTableWidget* table = page_->table();
        QCOMPARE(table->rowCount(), oracle_.size());
        for (auto it = oracle_.begin(); it != oracle_.end(); ++it) {
            const int r = rowOf(table, it.key());
            QVERIFY2(r >= 0, qPrintable(it.key()));
            const QJsonObject want = it.value().toObject();
            const auto cell = [&](int c) { return table->item(r, c)->text(); };
            QCOMPARE(cell(ComparePage::ColB), it.key());  // paired by name
            QCOMPARE(cell(ComparePage::ColIdentical), want[QStringLiteral("identical")].toBool()
                                                          ? QStringLiteral("yes")
                                                          : QStringLiteral("no"));
            QVERIFY2(
                closeTo(cell(ComparePage::ColMaxAbs), want[QStringLiteral("max_abs")].toDouble()),
                qPrintable(it.key() + QStringLiteral(" max abs ") + cell(ComparePage::ColMaxAbs)));
            QVERIFY2(
                closeTo(cell(ComparePage::ColRelFrob), want[QStringLiteral("rel")].toDouble()),
                qPrintable(it.key() + QStringLiteral(" rel ") + cell(ComparePage::ColRelFrob)));
            QVERIFY2(closeTo(cell(ComparePage::ColCosine), want[QStringLiteral("cos")].toDouble()),
                     qPrintable(it.key() + QStringLiteral(" cos ") + cell(ComparePage::ColCosine)));
        }
        // Exactly the edited modules differ.
        QStringList differing;
        for (auto it = oracle_.begin(); it != oracle_.end(); ++it)
            if (!it.value().toObject()[QStringLiteral("identical")].toBool()) differing << it.key();
        QCOMPARE(differing, (QStringList{QStringLiteral("conv1"), QStringLiteral("fc1"),
                                         QStringLiteral("fc2")}));
    }

    void selectingPairFillsHeatmaps() {
        QTableWidget* table = page_->table();
        const int r = rowOf(table, QStringLiteral("fc2"));
        QVERIFY(r >= 0);
        table->setCurrentCell(r, ComparePage::ColA);
        QComboBox* tensors = page_->tensorChooser();
        const int w = tensors->findData(QStringLiteral("weight"));
        QVERIFY(w >= 0);
        tensors->setCurrentIndex(w);
        QTest::qWait(50);

        const std::vector<double> a = torchValues(pathA_, QStringLiteral("fc2.weight"));
        const std::vector<double> b = torchValues(pathB_, QStringLiteral("fc2.weight"));
        QCOMPARE(a.size(), std::size_t(10 * 32));
        QCOMPARE(b.size(), a.size());
        const ws::ui::ComparePlots* plots = page_->plots();
        const ws::ReducedMatrix& ma = plots->heatmapA()->content();
        const ws::ReducedMatrix& mb = plots->heatmapB()->content();
        const ws::ReducedMatrix& md = plots->heatmapDiff()->content();
        for (const ws::ReducedMatrix* m : {&ma, &mb, &md}) {
            QCOMPARE(m->matrix.rows, std::int64_t(10));  // small enough: no block reduction
            QCOMPARE(m->matrix.cols, std::int64_t(32));
        }
        double maxA = 0, maxB = 0, maxD = 0;
        for (std::int64_t i = 0; i < 10; ++i)
            for (std::int64_t j = 0; j < 32; ++j) {
                const std::size_t k = std::size_t(i * 32 + j);
                QCOMPARE(ma.matrix.at(i, j), a[k]);
                QCOMPARE(mb.matrix.at(i, j), b[k]);
                QCOMPARE(md.matrix.at(i, j), a[k] - b[k]);
                maxA = std::max(maxA, std::abs(a[k]));
                maxB = std::max(maxB, std::abs(b[k]));
                maxD = std::max(maxD, std::abs(a[k] - b[k]));
            }
        // One colour scale for A and B; A-B on its own.
        QCOMPARE(plots->sharedHalfRange(), std::max(maxA, maxB));
        QCOMPARE(plots->diffHalfRange(), maxD);
        QCOMPARE(plots->heatmapA()->colorScale()->dataRange().upper,
                 plots->heatmapB()->colorScale()->dataRange().upper);
        QCOMPARE(plots->histogram()->graphCount(), 2);
        saveScreenshot();
    }

    void leadsToTheDifference() {
        QTableWidget* table = page_->table();
        // Pairs sorted by difference: the differing ones first, identical ones after.
        QVERIFY(table->rowCount() > 3);
        for (int r = 0; r < 3; ++r)
            QCOMPARE(table->item(r, ComparePage::ColIdentical)->text(), QStringLiteral("no"));
        for (int r = 3; r < table->rowCount(); ++r)
            QVERIFY(table->item(r, ComparePage::ColIdentical)->text() != QStringLiteral("no"));
        // fc1: one element changed (weight[0, 0] += 0.5). Its tensors start on the weight, marked.
        table->setCurrentCell(rowOf(table, QStringLiteral("fc1")), ComparePage::ColA);
        QTest::qWait(50);
        ws::ui::ComparePlots* plots = page_->plots();
        if (plots->busy())
            QVERIFY(QSignalSpy(plots, &ws::ui::ComparePlots::tensorsShown).wait(60000));
        QComboBox* tensors = page_->tensorChooser();
        QCOMPARE(tensors->currentData().toString(), QStringLiteral("weight"));
        QVERIFY2(tensors->currentText().contains(QStringLiteral("differs")),
                 qPrintable(tensors->currentText()));
        const int bias = tensors->findData(QStringLiteral("bias"));
        QVERIFY(bias >= 0 && tensors->itemText(bias).contains(QStringLiteral("identical")));

        // The top-k list names the edited element first, with A and B as torch reads them.
        const std::vector<double> a = torchValues(pathA_, QStringLiteral("fc1.weight"));
        const std::vector<double> b = torchValues(pathB_, QStringLiteral("fc1.weight"));
        QVERIFY(!a.empty() && a.size() == b.size());
        QCOMPARE(plots->differences().size(), std::size_t(1));  // only one element differs
        const ws::compare::ElementDifference& top = plots->differences().front();
        QCOMPARE(top.index, (std::vector<std::int64_t>{0, 0}));
        QCOMPARE(top.a, a[0]);
        QCOMPARE(top.b, b[0]);
        QCOMPARE(plots->differencesTable()->item(0, 0)->text(), QStringLiteral("[0, 0]"));
        QVERIFY2(
            plots->pickedText()->text().contains(QStringLiteral("Largest difference at [0, 0]")),
            qPrintable(plots->pickedText()->text()));
        // Ringed in A - B: the one changed element is visible however the map is reduced.
        QVERIFY(plots->heatmapDiff()->itemCount() >= 1);
        // Picking it shows A and B side by side and rings it in all three maps.
        plots->differencesTable()->setCurrentCell(0, 1);
        QVERIFY2(plots->pickedText()->text().contains(QStringLiteral("A = ")) &&
                     plots->pickedText()->text().contains(QStringLiteral("B = ")),
                 qPrintable(plots->pickedText()->text()));
        QVERIFY(plots->heatmapA()->itemCount() == 1 && plots->heatmapB()->itemCount() == 1);
    }

    void repairByChoosingB() {
        QTableWidget* table = page_->table();
        const int r = rowOf(table, QStringLiteral("fc2"));
        auto* chooser = qobject_cast<QComboBox*>(table->cellWidget(r, ComparePage::ColB));
        QVERIFY(chooser);
        const int none = chooser->findText(QStringLiteral("(none)"));
        QVERIFY(none >= 0);
        QSignalSpy ready(page_, &ComparePage::comparisonReady);
        chooser->setCurrentIndex(none);
        Q_EMIT chooser->activated(none);  // what a user's choice in the list emits
        QVERIFY(ready.wait(60000) || !ready.isEmpty());
        const int again = rowOf(table, QStringLiteral("fc2"));
        QCOMPARE(table->item(again, ComparePage::ColPairedBy)->text(), QStringLiteral("unpaired"));
        QCOMPARE(table->item(again, ComparePage::ColMaxAbs)->text(), QString());
        // B's fc2 is now on a row of its own, unpaired too.
        int bOnly = 0;
        for (int i = 0; i < table->rowCount(); ++i)
            bOnly += table->item(i, ComparePage::ColA)->text() == QStringLiteral("-") &&
                     table->item(i, ComparePage::ColB)->text() == QStringLiteral("fc2");
        QCOMPARE(bOnly, 1);
        QSignalSpy repaired(page_, &ComparePage::comparisonReady);
        page_->repair("fc2", "fc2");
        QVERIFY(repaired.wait(60000) || !repaired.isEmpty());
        QCOMPARE(table->item(rowOf(table, QStringLiteral("fc2")), ComparePage::ColPairedBy)->text(),
                 QStringLiteral("user"));
    }

    // A Keras file against its PyTorch conversion (written here with the conversion core and
    // the state_dict exporter): aligned to the Keras layout, every pair is identical, and the
    // heatmaps of a pair hold h5py's values on both sides with an all-zero A-B.
    void kerasAgainstItsConversion() {
        WS_REQUIRE_FIXTURE(keras, "keras/lstm_stacked_timeseries_keras2.h5");
        const QString pth = dir_.filePath(QStringLiteral("converted.pth"));
        {
            const auto model = ws::openModel(keras.toStdString());
            const auto converted = ws::convert::convertKerasToTorch(*model, {});
            ws::exportModel(*converted.stateDict, pth.toStdString());
        }
        ws::ui::ModelPage* pa = openAndWait(window_, keras);
        ws::ui::ModelPage* pb = openAndWait(window_, pth);
        QVERIFY(pa && pb);
        ComparePage* page = window_.compareWith(pa, pb);
        QVERIFY(page && waitReady(page));
        QVERIFY2(page->errorText().isEmpty(), qPrintable(page->errorText()));
        QTableWidget* table = page->table();
        QCOMPARE(table->rowCount(), 5);  // lstm .. lstm_3, dense
        for (int r = 0; r < table->rowCount(); ++r)
            QCOMPARE(table->item(r, ComparePage::ColIdentical)->text(), QStringLiteral("yes"));

        const int r = rowOf(table, QStringLiteral("lstm_1"));
        QVERIFY(r >= 0);
        QCOMPARE(table->item(r, ComparePage::ColB)->text(), QStringLiteral("lstm[1]"));
        table->setCurrentCell(r, ComparePage::ColA);
        const int k = page->tensorChooser()->findData(QStringLiteral("recurrent_kernel"));
        QVERIFY(k >= 0);
        page->tensorChooser()->setCurrentIndex(k);
        const std::vector<double> want = h5pyValues(
            keras, QStringLiteral("model_weights/lstm_1/lstm_1/lstm_cell/recurrent_kernel:0"));
        if (want.empty()) QSKIP("SKIP: h5py oracle unavailable");
        const ws::ui::ComparePlots* plots = page->plots();
        const ws::ReducedMatrix& ma = plots->heatmapA()->content();
        const ws::ReducedMatrix& mb = plots->heatmapB()->content();
        const ws::ReducedMatrix& md = plots->heatmapDiff()->content();
        QCOMPARE(ma.matrix.rows * ma.matrix.cols, std::int64_t(want.size()));  // (50, 200)
        for (std::int64_t i = 0; i < ma.matrix.rows; ++i)
            for (std::int64_t j = 0; j < ma.matrix.cols; ++j) {
                QCOMPARE(ma.matrix.at(i, j), want[std::size_t(i * ma.matrix.cols + j)]);
                QCOMPARE(mb.matrix.at(i, j), ma.matrix.at(i, j));
                QCOMPARE(md.matrix.at(i, j), 0.0);
            }
    }

    // A pair of 4096 x 4096 float32 tensors: preparing A, B, A-B and the histograms takes far
    // longer than a frame, so it must run off the GUI thread (the longest gap between 10 ms timer
    // ticks stays short) and still fill the heatmaps with the right block means. A[i][j] = i/4096
    // and B[i][j] = j/4096 (exact in float32), so every block mean is known in closed form.
    void largePairKeepsWindowResponsive() {
        constexpr qint64 n = 4096;
        std::vector<float> rows(std::size_t(n * n)), cols(rows.size());
        for (qint64 i = 0; i < n; ++i)
            for (qint64 j = 0; j < n; ++j) {
                rows[std::size_t(i * n + j)] = float(i) / float(n);
                cols[std::size_t(i * n + j)] = float(j) / float(n);
            }
        const QString pathA = dir_.filePath(QStringLiteral("large_a.safetensors"));
        const QString pathB = dir_.filePath(QStringLiteral("large_b.safetensors"));
        QVERIFY(writeSafetensors(pathA, {{QStringLiteral("big.weight"), {n, n}, rows}}));
        QVERIFY(writeSafetensors(pathB, {{QStringLiteral("big.weight"), {n, n}, cols}}));
        rows = {};
        cols = {};
        ws::ui::ModelPage* pa = openAndWait(window_, pathA);
        ws::ui::ModelPage* pb = openAndWait(window_, pathB);
        QVERIFY(pa && pb);
        ComparePage* page = window_.compareWith(pa, pb);
        QVERIFY(page);
        QVERIFY(waitReady(page));
        QVERIFY2(page->errorText().isEmpty(), qPrintable(page->errorText()));
        const int r = rowOf(page->table(), QStringLiteral("big"));
        QVERIFY(r >= 0);

        ws::ui::ComparePlots* plots = page->plots();
        QSignalSpy shown(plots, &ws::ui::ComparePlots::tensorsShown);
        LongestTimerGap gap;
        page->table()->setCurrentCell(r, ComparePage::ColA);
        const bool busyAfterSelecting = plots->busy() && plots->busyIndicator()->isVisible();
        QVERIFY(shown.wait(120000));
        QTest::qWait(50);  // the tick after drawing measures the drawing itself
        const qint64 longestGap = gap.stop();
        qInfo("preparing the pair took %lld ms; longest gap between 10 ms ticks: %lld ms",
              gap.elapsed(), longestGap);
        QVERIFY(busyAfterSelecting);
        QVERIFY(!plots->busy() && !plots->busyIndicator()->isVisible());
        QVERIFY2(longestGap < 250,
                 qPrintable(QStringLiteral("GUI thread blocked for %1 ms").arg(longestGap)));

        // Block means: rows [r0, r1) of A average (r0 + r1 - 1) / 2 / n; B the same by columns.
        const ws::ReducedMatrix& ma = plots->heatmapA()->content();
        const ws::ReducedMatrix& mb = plots->heatmapB()->content();
        const ws::ReducedMatrix& md = plots->heatmapDiff()->content();
        const qint64 block = (n + ws::ui::ComparePlots::kMaxCells - 1) /
                             ws::ui::ComparePlots::kMaxCells;  // ceil, as reduceForDisplay
        for (const ws::ReducedMatrix* m : {&ma, &mb, &md}) {
            QCOMPARE(m->rowBlock, block);
            QCOMPARE(m->colBlock, block);
            QCOMPARE(m->matrix.rows, (n + block - 1) / block);
            QCOMPARE(m->matrix.cols, (n + block - 1) / block);
        }
        const auto mid = [&](qint64 b) {
            return (double(b * block) + double(std::min(n, (b + 1) * block) - 1)) / 2.0 / double(n);
        };
        for (qint64 i = 0; i < ma.matrix.rows; ++i)
            for (qint64 j = 0; j < ma.matrix.cols; ++j) {
                QVERIFY(std::abs(ma.matrix.at(i, j) - mid(i)) < 1e-12);
                QVERIFY(std::abs(mb.matrix.at(i, j) - mid(j)) < 1e-12);
                QVERIFY(std::abs(md.matrix.at(i, j) - (mid(i) - mid(j))) < 1e-12);
            }
        QCOMPARE(plots->sharedHalfRange(), double(n - 1) / double(n));
        QCOMPARE(plots->diffHalfRange(), double(n - 1) / double(n));
        QCOMPARE(plots->histogram()->graphCount(), 2);
        // Every one of the n*n elements of A is counted in A's histogram.
        double counted = 0;
        for (auto it = plots->histogram()->graph(0)->data()->constBegin();
             it != plots->histogram()->graph(0)->data()->constEnd() - 1; ++it)
            counted += it->value;
        QCOMPARE(counted, double(n * n));
    }

  private:
    void saveScreenshot() {
        const QString dir = qEnvironmentVariable("WS_SCREENSHOT_DIR");
        if (dir.isEmpty()) return;
        QDir().mkpath(dir);
        window_.raise();
        QTest::qWait(300);  // let the window system paint before grabbing
        QVERIFY(window_.grab().save(QDir(dir).filePath(QStringLiteral("compare.png"))));
    }

    QTemporaryDir dir_;
    ws::ui::MainWindow window_;
    QString pathA_, pathB_;
    QJsonObject oracle_;
    ComparePage* page_ = nullptr;
};

WS_QTEST_MAIN(CompareViewTest)
#include "test_compare.moc"
