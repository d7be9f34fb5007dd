// SPDX-License-Identifier: GPL-3.0-or-later
// A 16384 × 16384 f32 tensor (1 GiB) in the GUI: the heatmap is prepared on a worker thread
// while the event loop keeps ticking, its reduced cells equal block summaries computed here from
// the values written into the file, the values table reads only what it shows, and selecting
// another tensor mid-preparation cancels the old one.
#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTimer>
#include <cmath>

#include "heatmap/heatmap_plot.h"
#include "heatmap/heatmap_view.h"
#include "histogram/histogram_view.h"
#include "histogram/stats_panel.h"
#include "ui_test_support.h"
#include "values/values_view.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

constexpr qint64 kSide = 16384;
constexpr qint64 kWrittenRows = 64;  // the rest of the file is a hole: zeros

double written(qint64 r, qint64 c) {
    if (r == 3 && c == 100) return qQNaN();
    if (r == 40 && c == 9000) return -7.5;  // the largest |x|
    if (r >= kWrittenRows) return 0;
    return double(float(double((r * 31 + c * 17) % 1000 - 500) * 1e-3));
}

}  // namespace

class LargeTensorTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        path_ = QStringLiteral(WS_TEST_OUTPUT_DIR "/large_tensor.safetensors");
        std::vector<float> head(std::size_t(kWrittenRows * kSide));
        for (qint64 r = 0; r < kWrittenRows; ++r)
            for (qint64 c = 0; c < kSide; ++c)
                head[std::size_t(r * kSide + c)] = float(written(r, c));
        QVERIFY(writeSafetensors(path_, {{QStringLiteral("big"), {kSide, kSide}, head},
                                         {QStringLiteral("small"), {4, 4}, {}}}));
        window_.setQuietErrors(true);
        window_.resize(1200, 800);
        window_.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window_));
    }

    void cleanupTestCase() { QFile::remove(path_); }

    void hugeTensorIsPreparedOffTheGuiThread() {
        ModelPage* page = openFresh(window_, path_);
        QVERIFY(page);
        QElapsedTimer clock;
        qint64 last = 0, longestGap = 0;
        QTimer ticker;
        ticker.setInterval(10);
        connect(&ticker, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            longestGap = std::max(longestGap, now - last);
            last = now;
        });
        QSignalSpy shown(page->inspector(), &TensorInspector::dataShown);
        clock.start();
        ticker.start();
        QVERIFY(page->selectPath(QStringLiteral("big")));
        HeatmapView* heatmap = page->inspector()->heatmap();
        QVERIFY(heatmap->busy());  // too large to do inline: a worker reads it
        for (int i = 0; i < 3000 && shown.isEmpty(); ++i) QTest::qWait(50);
        ticker.stop();
        QCOMPARE(shown.size(), 1);
        qInfo(
            "1 GiB tensor: heatmap and statistics after %lld ms; longest gap between 10 ms "
            "ticks: %lld ms",
            clock.elapsed(), longestGap);
        QVERIFY2(longestGap < 500,
                 qPrintable(QStringLiteral("GUI thread blocked for %1 ms").arg(longestGap)));

        // 512 × 512 cells of 32 × 32 elements; check blocks against our own summaries.
        HeatmapPlot* plot = heatmap->plot();
        QCOMPARE(plot->content().rowBlock, qint64(32));
        QCOMPARE(plot->content().colBlock, qint64(32));
        QCOMPARE(plot->colorMap()->data()->keySize(), 512);
        QCOMPARE(plot->colorMap()->data()->valueSize(), 512);
        for (BlockReduction mode : {BlockReduction::Mean, BlockReduction::MaxAbs}) {
            heatmap->setReduction(mode);
            for (int i : {0, 1, 2, 300, 511})
                for (int j : {0, 3, 281, 400, 511}) {
                    double sum = 0, best = 0;
                    bool nan = false;  // a NaN anywhere makes the cell NaN in both modes
                    for (qint64 r = i * 32; r < (i + 1) * 32; ++r)
                        for (qint64 c = j * 32; c < (j + 1) * 32; ++c) {
                            const double x = written(r, c);
                            nan |= std::isnan(x);
                            sum += x;
                            if (std::fabs(x) > std::fabs(best)) best = x;
                        }
                    const double want = nan                            ? qQNaN()
                                        : mode == BlockReduction::Mean ? sum / 1024
                                                                       : best;
                    const double got = plot->colorMap()->data()->cell(j, i);
                    if (std::isnan(want))
                        QVERIFY2(std::isnan(got),
                                 qPrintable(QStringLiteral("%1,%2").arg(i).arg(j)));
                    else
                        QVERIFY2(std::fabs(got - want) <= 1e-12 * (1 + std::fabs(want)),
                                 qPrintable(QStringLiteral("cell %1,%2: %3 != %4")
                                                .arg(i)
                                                .arg(j)
                                                .arg(got)
                                                .arg(want)));
                }
        }
        QCOMPARE(heatmap->halfRange(), 7.5);
        QVERIFY(heatmap->summary().contains(QStringLiteral("NaN: 1")));

        // Statistics streamed over all 268 million elements.
        HistogramView* hist = page->inspector()->histogram();
        const TensorStats& s = hist->statsPanel()->statistics();
        QCOMPARE(s.count, std::uint64_t(kSide * kSide));
        QCOMPARE(s.nan, std::uint64_t(1));
        QCOMPARE(s.min, -7.5);
        std::uint64_t total = 0;
        for (auto c : hist->histogram().counts) total += c;
        QCOMPARE(total, std::uint64_t(kSide * kSide - 1));

        // The table is lazy: it reads what is asked for.
        ValuesTableModel* table = page->inspector()->values()->valuesModel();
        QCOMPARE(table->rowCount(), int(kSide));
        QCOMPARE(table->columnCount(), int(kSide));
        QCOMPARE(table->value(40, 9000), -7.5);
        QCOMPARE(table->value(63, 16383), written(63, 16383));
        QCOMPARE(table->value(16000, 5), 0.0);
    }

    void aNewSelectionCancelsThePreparation() {
        ModelPage* page = openFresh(window_, path_);
        QVERIFY(page);
        QVERIFY(page->selectPath(QStringLiteral("big")));
        QVERIFY(page->inspector()->heatmap()->busy());
        QTest::qWait(20);
        QVERIFY(selectTensorAndWait(page, QStringLiteral("small")));
        HeatmapView* heatmap = page->inspector()->heatmap();
        QVERIFY(!heatmap->busy());
        QCOMPARE(heatmap->plot()->colorMap()->data()->keySize(), 4);
        QTest::qWait(300);  // a stale result, if one were delivered, would replace the plot
        QCOMPARE(heatmap->plot()->colorMap()->data()->keySize(), 4);
        QCOMPARE(QString::fromStdString(page->inspector()->node()->path), QStringLiteral("small"));
    }

  private:
    MainWindow window_;
    QString path_;
};

WS_QTEST_MAIN(LargeTensorTest)
#include "test_large_tensor.moc"
