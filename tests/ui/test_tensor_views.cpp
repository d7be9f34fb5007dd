// SPDX-License-Identifier: GPL-3.0-or-later
// The tensor views (heatmap, tiles, slices, gate labels, reduction, histogram, statistics,
// values table, layer overview) on real fixtures, compared with what PyTorch reads.
#include <QApplication>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <cmath>

#include "heatmap/data_colors.h"
#include "heatmap/heatmap_plot.h"
#include "heatmap/heatmap_view.h"
#include "histogram/histogram_view.h"
#include "histogram/stats_panel.h"
#include "inspect/slice_controls.h"
#include "ui_test_support.h"
#include "values/values_view.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

double cell(HeatmapPlot* plot, int row, int col) {
    return plot->colorMap()->data()->cell(col, row);
}

// The first tensor whose path matches every given fragment.
QString findTensor(const ModelPage* page, const QStringList& fragments) {
    QString found;
    page->model()->forEachTensor([&](Node& n) {
        const QString p = QString::fromStdString(n.path);
        if (!found.isEmpty()) return;
        for (const QString& f : fragments)
            if (!p.contains(f)) return;
        found = p;
    });
    return found;
}

QStringList labels(std::initializer_list<const char*> names) {
    QStringList l;
    for (const char* n : names) l << QString::fromLatin1(n);
    return l;
}

}  // namespace

class TensorViewsTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        window_.setQuietErrors(true);
        window_.resize(1200, 800);
        window_.show();
    }

    void heatmapCellsEqualTorchValues() {
        WS_REQUIRE_FIXTURE(file, "pytorch/lstm_3layer_charlm_state_dict.pth");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page);
        QVERIFY(selectTensorAndWait(page, QStringLiteral("lstm.weight_hh_l0")));
        const std::vector<double> expected = torchValues(file, QStringLiteral("lstm.weight_hh_l0"));
        if (expected.empty()) QSKIP("SKIP: the torch oracle is not available");
        HeatmapPlot* plot = page->inspector()->heatmap()->plot();
        QCOMPARE(plot->colorMap()->data()->keySize(), 128);
        QCOMPARE(plot->colorMap()->data()->valueSize(), 512);
        for (int r = 0; r < 512; ++r)
            for (int c = 0; c < 128; ++c) QCOMPARE(cell(plot, r, c), expected[r * 128 + c]);
        // The colour range is symmetric around 0 at max |x|.
        double maxAbs = 0;
        for (double v : expected) maxAbs = std::max(maxAbs, std::fabs(v));
        QCOMPARE(plot->colorMap()->dataRange().upper, maxAbs);
        QCOMPARE(plot->colorMap()->dataRange().lower, -maxAbs);
        // The tooltip names the element and its gate (row 130 is unit 2 of the forget gate).
        // Zoomed in so that a row is several pixels high: at the whole map's 512 rows in fewer
        // pixels, a pixel's row depends on rounding, not on the describer.
        plot->yAxis->setRange(100, 160);
        plot->replot();
        const QPoint at(plot->xAxis->coordToPixel(5), plot->yAxis->coordToPixel(130));
        const QString tip = plot->describeAt(at);
        QVERIFY2(tip.startsWith(QStringLiteral("[130, 5] = ") +
                                QString::number(expected[130 * 128 + 5], 'g', 7)),
                 qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("gate f, unit 2")), qPrintable(tip));
    }

    void percentileClipNarrowsTheRange() {
        WS_REQUIRE_FIXTURE(file, "pytorch/lstm_3layer_charlm_state_dict.pth");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page && selectTensorAndWait(page, QStringLiteral("fc.weight")));
        HeatmapView* heatmap = page->inspector()->heatmap();
        const double full = heatmap->halfRange();
        heatmap->setClipToPercentile(true);
        const std::vector<double> v = torchValues(file, QStringLiteral("fc.weight"));
        if (v.empty()) QSKIP("SKIP: the torch oracle is not available");
        std::vector<double> mags;
        for (double x : v) mags.push_back(std::fabs(x));
        std::sort(mags.begin(), mags.end());
        const std::size_t rank = std::size_t(std::ceil(0.99 * double(mags.size())));
        QCOMPARE(heatmap->halfRange(), mags[rank - 1]);
        QVERIFY(heatmap->halfRange() < full);
        heatmap->setClipToPercentile(false);
        QCOMPARE(heatmap->halfRange(), full);
    }

    void gateLabelsOnPyTorchRecurrentWeights() {
        WS_REQUIRE_FIXTURE(lstm, "pytorch/lstm_3layer_charlm_state_dict.pth");
        WS_REQUIRE_FIXTURE(gru, "pytorch/gru_2layer_stock_state_dict.pth");
        ModelPage* page = openFresh(window_, lstm);
        QVERIFY(page && selectTensorAndWait(page, QStringLiteral("lstm.weight_ih_l1")));
        HeatmapPlot* plot = page->inspector()->heatmap()->plot();
        QCOMPARE(plot->rowLabels(), labels({"i", "f", "g", "o"}));
        QVERIFY(plot->columnLabels().isEmpty());
        QVERIFY(selectTensorAndWait(page, QStringLiteral("lstm.bias_hh_l2")));  // 1-D: a strip
        QCOMPARE(plot->columnLabels(), labels({"i", "f", "g", "o"}));
        QCOMPARE(plot->colorMap()->data()->valueSize(), 1);
        QCOMPARE(plot->colorMap()->data()->keySize(), 512);
        QVERIFY(selectTensorAndWait(page, QStringLiteral("fc.weight")));  // not recurrent
        QVERIFY(plot->rowLabels().isEmpty() && plot->columnLabels().isEmpty());

        page = openFresh(window_, gru);
        QVERIFY(page && selectTensorAndWait(page, QStringLiteral("gru2.weight_ih_l0")));
        plot = page->inspector()->heatmap()->plot();
        QCOMPARE(plot->rowLabels(), labels({"r", "z", "n"}));
    }

    void gateLabelsOnKerasRecurrentWeights_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("fragments");
        QTest::addColumn<QStringList>("gates");
        QTest::newRow("keras2 lstm recurrent")
            << "keras/lstm_stacked_timeseries_keras2.h5"
            << QStringList{"model_weights/", "recurrent_kernel"} << labels({"i", "f", "c", "o"});
        QTest::newRow("keras3 gru kernel")
            << "keras/gru_stacked_timeseries_keras3.h5"
            << QStringList{"model_weights/", "gru_cell/kernel"} << labels({"z", "r", "h"});
        QTest::newRow("keras3 gru bias (2, 3u)")
            << "keras/gru_stacked_timeseries_keras3.h5"
            << QStringList{"model_weights/", "gru_cell/bias"} << labels({"z", "r", "h"});
        QTest::newRow(".keras lstm vars")
            << "keras/lstm_functional_keras3.keras" << QStringList{"lstm", "vars/1"}
            << labels({"i", "f", "c", "o"});
    }

    void gateLabelsOnKerasRecurrentWeights() {
        QFETCH(QString, file);
        QFETCH(QStringList, fragments);
        QFETCH(QStringList, gates);
        const QString path = fixture(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("SKIP: fixture %1 not found").arg(file)));
        ModelPage* page = openFresh(window_, path);
        QVERIFY(page);
        const QString tensor = findTensor(page, fragments);
        QVERIFY2(!tensor.isEmpty(), qPrintable(fragments.join(QLatin1Char(' '))));
        QVERIFY(selectTensorAndWait(page, tensor));
        HeatmapPlot* plot = page->inspector()->heatmap()->plot();
        QCOMPARE(plot->columnLabels(), gates);  // Keras concatenates gates along the last axis
        QVERIFY(plot->rowLabels().isEmpty());
        // Rows and columns are the dataset's own axes, as h5py sees them.
        if (!file.endsWith(QLatin1String(".h5"))) return;
        const std::vector<double> expected = h5pyValues(path, tensor);
        if (expected.empty()) QSKIP("SKIP: the h5py oracle is not available");
        const int rows = plot->colorMap()->data()->valueSize(),
                  cols = plot->colorMap()->data()->keySize();
        QCOMPARE(std::size_t(rows) * std::size_t(cols), expected.size());
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c)
                QCOMPARE(cell(plot, r, c), expected[std::size_t(r * cols + c)]);
    }

    void sliceControlsChangeWhatIsShown() {
        WS_REQUIRE_FIXTURE(file, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page && selectTensorAndWait(page, QStringLiteral("conv2.weight")));  // (16,8,3,3)
        const std::vector<double> v = torchValues(file, QStringLiteral("conv2.weight"));
        if (v.empty()) QSKIP("SKIP: the torch oracle is not available");
        auto at = [&](int o, int i, int y, int x) { return v[((o * 8 + i) * 3 + y) * 3 + x]; };
        HeatmapView* heatmap = page->inspector()->heatmap();
        heatmap->setTiles(false);
        HeatmapPlot* plot = heatmap->plot();
        SliceControls* slice = page->inspector()->sliceControls();
        QVERIFY(slice->isVisibleTo(page));
        SliceSpec spec = slice->spec();  // default: rows axis 2, columns axis 3, others at 0
        QCOMPARE(spec.rowAxis, 2);
        QCOMPARE(spec.colAxis, 3);
        QCOMPARE(cell(plot, 1, 2), at(0, 0, 1, 2));
        spec.fixed = {5, 2, 0, 0};
        slice->setSpec(spec);
        for (int y = 0; y < 3; ++y)
            for (int x = 0; x < 3; ++x) QCOMPARE(cell(plot, y, x), at(5, 2, y, x));
        // Output channels down, input channels across, at kernel tap (1, 2).
        slice->setSpec(SliceSpec{0, 1, {0, 0, 1, 2}});
        QCOMPARE(plot->colorMap()->data()->valueSize(), 16);
        QCOMPARE(plot->colorMap()->data()->keySize(), 8);
        for (int o = 0; o < 16; ++o)
            for (int i = 0; i < 8; ++i) QCOMPARE(cell(plot, o, i), at(o, i, 1, 2));
        // The values table follows the same slice.
        ValuesTableModel* table = page->inspector()->values()->valuesModel();
        QCOMPARE(table->rowCount(), 16);
        QCOMPARE(table->columnCount(), 8);
        QCOMPARE(table->value(7, 3), at(7, 3, 1, 2));
    }

    void convKernelAsTileGrid() {
        WS_REQUIRE_FIXTURE(file, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page && selectTensorAndWait(page, QStringLiteral("conv2.weight")));
        const std::vector<double> v = torchValues(file, QStringLiteral("conv2.weight"));
        if (v.empty()) QSKIP("SKIP: the torch oracle is not available");
        HeatmapView* heatmap = page->inspector()->heatmap();
        QVERIFY(heatmap->showingTiles());  // 4-D weights open as tiles
        HeatmapPlot* plot = heatmap->plot();
        QCOMPARE(plot->colorMap()->data()->valueSize(), 16 * 3);
        QCOMPARE(plot->colorMap()->data()->keySize(), 8 * 3);
        for (int o = 0; o < 16; ++o)
            for (int i = 0; i < 8; ++i)
                for (int y = 0; y < 3; ++y)
                    for (int x = 0; x < 3; ++x)
                        QCOMPARE(cell(plot, o * 3 + y, i * 3 + x),
                                 v[((o * 8 + i) * 3 + y) * 3 + x]);
        const QPoint pos(plot->xAxis->coordToPixel(7), plot->yAxis->coordToPixel(10));
        QVERIFY2(
            plot->describeAt(pos).contains(QStringLiteral("output channel 3, input channel 2")),
            qPrintable(plot->describeAt(pos)));
    }

    void kerasConvKernelTilesAreChannelsLast() {
        WS_REQUIRE_FIXTURE(file, "keras/cnn_bn_keras2_alexfox.h5");
        ModelPage* page = openFresh(window_, file);
        const QString kernel = QStringLiteral("model_weights/conv2d_1/conv2d_1/kernel:0");
        QVERIFY(page && selectTensorAndWait(page, kernel));  // (kh 3, kw 3, in 32, out 32)
        const std::vector<double> v = h5pyValues(file, kernel);
        if (v.empty()) QSKIP("SKIP: the h5py oracle is not available");
        HeatmapPlot* plot = page->inspector()->heatmap()->plot();
        QVERIFY(page->inspector()->heatmap()->showingTiles());
        QCOMPARE(plot->colorMap()->data()->valueSize(), 32 * 3);
        QCOMPARE(plot->colorMap()->data()->keySize(), 32 * 3);
        for (int o = 0; o < 32; o += 5)
            for (int i = 0; i < 32; i += 3)
                for (int y = 0; y < 3; ++y)
                    for (int x = 0; x < 3; ++x)
                        QCOMPARE(cell(plot, o * 3 + y, i * 3 + x),
                                 v[std::size_t(((y * 3 + x) * 32 + i) * 32 + o)]);
    }

    void largeMatricesAreBlockReduced() {
        WS_REQUIRE_FIXTURE(file, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page && selectTensorAndWait(page, QStringLiteral("fc1.weight")));  // (32, 11616)
        const std::vector<double> v = torchValues(file, QStringLiteral("fc1.weight"));
        if (v.empty()) QSKIP("SKIP: the torch oracle is not available");
        HeatmapView* heatmap = page->inspector()->heatmap();
        HeatmapPlot* plot = heatmap->plot();
        const std::int64_t block = plot->content().colBlock;
        QCOMPARE(block, std::int64_t((11616 + 511) / 512));
        QCOMPARE(plot->content().rowBlock, std::int64_t(1));
        const int cols = plot->colorMap()->data()->keySize();
        QCOMPARE(cols, int((11616 + block - 1) / block));
        for (BlockReduction mode : {BlockReduction::Mean, BlockReduction::MaxAbs}) {
            heatmap->setReduction(mode);
            for (int r = 0; r < 32; ++r)
                for (int c = 0; c < cols; ++c) {
                    double sum = 0, best = 0;
                    const int c0 = int(c * block), c1 = std::min(11616, int((c + 1) * block));
                    for (int k = c0; k < c1; ++k) {
                        const double x = v[std::size_t(r) * 11616 + std::size_t(k)];
                        sum += x;
                        if (std::fabs(x) > std::fabs(best)) best = x;
                    }
                    const double expected = mode == BlockReduction::Mean ? sum / (c1 - c0) : best;
                    QVERIFY(std::fabs(cell(plot, r, c) - expected) <=
                            1e-12 * (1 + std::fabs(expected)));
                }
        }
        QVERIFY(heatmap->summary().contains(QStringLiteral("reduced to 32 × %1").arg(cols)));
    }

    void histogramAndStatisticsMatchTorch() {
        WS_REQUIRE_FIXTURE(file, "pytorch/cnn_batchnorm_mnist_state_dict.pt");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page && selectTensorAndWait(page, QStringLiteral("conv3.weight")));
        const std::vector<double> v = torchValues(file, QStringLiteral("conv3.weight"));
        if (v.empty()) QSKIP("SKIP: the torch oracle is not available");
        HistogramView* hist = page->inspector()->histogram();
        for (int bins : {100, 7, 1}) {
            hist->setBinCount(bins);
            std::uint64_t total = 0;
            for (auto c : hist->histogram().counts) total += c;
            QCOMPARE(total, std::uint64_t(v.size()));
            double barTotal = 0;
            for (auto it = hist->bars()->data()->begin(); it != hist->bars()->data()->end(); ++it)
                barTotal += it->value;
            QCOMPARE(barTotal, double(v.size()));
            QCOMPARE(int(hist->histogram().counts.size()), bins);
        }
        hist->setLogCounts(true);
        QCOMPARE(hist->plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        const TensorStats& s = hist->statsPanel()->statistics();
        QCOMPARE(s.min, *std::min_element(v.begin(), v.end()));
        QCOMPARE(s.max, *std::max_element(v.begin(), v.end()));
        double sum = 0, sq = 0;
        for (double x : v) sum += x, sq += x * x;
        const double mean = sum / double(v.size());
        double dev = 0;
        for (double x : v) dev += (x - mean) * (x - mean);
        QVERIFY(std::fabs(s.mean - mean) < 1e-12);
        QVERIFY(std::fabs(s.std - std::sqrt(dev / double(v.size()))) < 1e-12);
        QVERIFY(std::fabs(s.l2 - std::sqrt(sq)) < 1e-9);
        QCOMPARE(hist->statsPanel()->valueText(QStringLiteral("min")),
                 QString::number(s.min, 'g', 7));
        QCOMPARE(hist->statsPanel()->valueText(QStringLiteral("NaN")), QStringLiteral("0"));
    }

    void valuesTableCopiesTsv() {
        WS_REQUIRE_FIXTURE(file, "pytorch/gru_2layer_stock_state_dict.pth");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page &&
                selectTensorAndWait(page, QStringLiteral("gru1.weight_ih_l0")));  // (192,28)
        const std::vector<double> v = torchValues(file, QStringLiteral("gru1.weight_ih_l0"));
        if (v.empty()) QSKIP("SKIP: the torch oracle is not available");
        ValuesView* view = page->inspector()->values();
        QCOMPARE(view->model()->rowCount(), 192);
        QCOMPARE(view->model()->columnCount(), 28);
        QCOMPARE(view->model()->index(100, 20).data(Qt::EditRole).toDouble(), v[100 * 28 + 20]);
        view->selectionModel()->select(
            QItemSelection(view->model()->index(1, 2), view->model()->index(2, 4)),
            QItemSelectionModel::Select);
        const QStringList lines =
            view->selectionAsTsv().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        for (int r = 0; r < 2; ++r) {
            const QStringList cells = lines[r].split(QLatin1Char('\t'));
            QCOMPARE(cells.size(), 3);
            for (int c = 0; c < 3; ++c) QCOMPARE(cells[c].toDouble(), v[(1 + r) * 28 + 2 + c]);
        }
    }

    void valuesShowTheShortestTextThatRoundTrips() {
        WS_REQUIRE_FIXTURE(file, "pytorch/gru_2layer_stock_state_dict.pth");
        const QString tensor = QStringLiteral("gru1.weight_ih_l0");  // (192, 28) f32
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page && selectTensorAndWait(page, tensor));
        page->inspector()->showTab(TensorInspector::ValuesTab);
        // numpy's own text for each element: the shortest that reads back as the float32.
        QByteArray printed;
        if (!runOraclePython(
                QStringLiteral("import sys, torch\n"
                               "t = torch.load(sys.argv[1], map_location='cpu')[sys.argv[2]]\n"
                               "print(' '.join(str(x) for x in t[:12].numpy().reshape(-1)))\n"),
                {file, tensor}, &printed))
            QSKIP("SKIP: the oracle python cannot import torch");
        const QList<QByteArray> numpyTexts = printed.simplified().split(' ');
        QCOMPARE(numpyTexts.size(), 12 * 28);
        ValuesView* view = page->inspector()->values();
        const QFontMetrics metrics(view->font());
        for (int i = 0; i < numpyTexts.size(); ++i) {
            const QString want = QString::fromLatin1(numpyTexts[i]);
            const QModelIndex at = view->model()->index(i / 28, i % 28);
            const QString text = at.data(Qt::DisplayRole).toString();
            // numpy writes an integral float as "2.0"; the table leaves the ".0" out.
            QCOMPARE(text, want.endsWith(QStringLiteral(".0")) ? want.chopped(2) : want);
            QCOMPARE(float(text.toDouble()), float(at.data(Qt::EditRole).toDouble()));
            QVERIFY2(view->columnWidth(at.column()) > metrics.horizontalAdvance(text),
                     qPrintable(QStringLiteral("%1 is cut off").arg(text)));
        }
        // Compact rows: one line of text, not the style's roomy default.
        QVERIFY(view->rowHeight(0) <= metrics.height() + 6);
    }

    void nanAndInfinityHaveTheirOwnColours() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("specials.safetensors"));
        const float inf = std::numeric_limits<float>::infinity();
        QVERIFY(writeSafetensors(
            path, {{QStringLiteral("w"),
                    {2, 3},
                    {0.5f, -0.25f, std::numeric_limits<float>::quiet_NaN(), inf, -inf, 0.0f}}}));
        ModelPage* page = openFresh(window_, path);
        QVERIFY(page && selectTensorAndWait(page, QStringLiteral("w")));
        HeatmapView* heatmap = page->inspector()->heatmap();
        HeatmapPlot* plot = heatmap->plot();
        QVERIFY(std::isnan(cell(plot, 0, 2)));
        QCOMPARE(cell(plot, 1, 0), double(inf));
        QCOMPARE(heatmap->halfRange(), 0.5);  // infinities do not stretch the colour range
        QVERIFY(heatmap->summary().contains(QStringLiteral("NaN: 1")));
        QVERIFY(heatmap->summary().contains(QStringLiteral("+Inf: 1")));
        QVERIFY(heatmap->summary().contains(QStringLiteral("-Inf: 1")));
        // Rendered, each special value shows its reserved colour somewhere in the map.
        const QImage image = plot->toPixmap(600, 400).toImage();
        for (const QColor& want : {nanColor(), posInfColor(), negInfColor()}) {
            bool seen = false;
            for (int y = 0; y < image.height() && !seen; y += 2)
                for (int x = 0; x < image.width() && !seen; x += 2)
                    seen = QColor(image.pixel(x, y)) == want;
            QVERIFY2(seen, qPrintable(want.name()));
        }
        HistogramView* hist = page->inspector()->histogram();
        QCOMPARE(hist->statsPanel()->valueText(QStringLiteral("NaN")), QStringLiteral("1"));
        QCOMPARE(hist->statsPanel()->valueText(QStringLiteral("Inf")), QStringLiteral("2"));
        std::uint64_t total = 0;
        for (auto c : hist->histogram().counts) total += c;
        QCOMPARE(total, std::uint64_t(3));  // the finite ones; NaN and Inf have no bin
    }

    void layerShowsItsTensorsSideBySide() {
        WS_REQUIRE_FIXTURE(file, "pytorch/lstm_3layer_charlm_state_dict.pth");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page);
        QSignalSpy shown(page->layerOverview(), &LayerOverview::allShown);
        QVERIFY(page->selectPath(QStringLiteral("lstm")));
        QVERIFY(shown.wait(30000));
        LayerOverview* layer = page->layerOverview();
        QCOMPARE(layer->tensorCount(), 12);
        QVERIFY(layer->titleAt(0).startsWith(QStringLiteral("weight_ih_l0")));
        // 512 rows shown as 128 block means of 4; gate labels survive the reduction.
        HeatmapPlot* first = layer->plotAt(0);
        QCOMPARE(first->colorMap()->data()->valueSize(), 128);
        QCOMPARE(first->content().rowBlock, std::int64_t(4));
        QCOMPARE(first->rowLabels(), labels({"i", "f", "g", "o"}));
        // Clicking a small heatmap opens its tensor.
        QSignalSpy data(page->inspector(), &TensorInspector::dataShown);
        QTest::mouseClick(layer->plotAt(1), Qt::LeftButton);
        QVERIFY(data.wait(30000));
        QCOMPARE(QString::fromStdString(page->inspector()->node()->path),
                 QStringLiteral("lstm.weight_hh_l0"));
    }

    void plotsFollowThePalette() {
        WS_REQUIRE_FIXTURE(file, "pytorch/mlp_state_dict.pth");
        ModelPage* page = openFresh(window_, file);
        QVERIFY(page);
        HeatmapPlot* plot = page->inspector()->heatmap()->plot();
        QPalette dark = plot->palette();
        dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
        dark.setColor(QPalette::Base, QColor(0x10, 0x10, 0x10));
        dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
        plot->setPalette(dark);
        QCOMPARE(plot->xAxis->tickLabelColor(), QColor(0xee, 0xee, 0xee));
        QCOMPARE(plot->axisRect()->backgroundBrush().color(), QColor(0x10, 0x10, 0x10));
        QCOMPARE(plot->colorScale()->axis()->labelColor(), QColor(0xee, 0xee, 0xee));
    }

  private:
    MainWindow window_;
};

WS_QTEST_MAIN(TensorViewsTest)
#include "test_tensor_views.moc"
