// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/compare_plots.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "compare/diff_metrics.h"
#include "edit/editable_storage.h"
#include "edit/element_codec.h"
#include "heatmap/heatmap_plot.h"
#include "plot/plot_style.h"
#include "stats/element_grid.h"
#include "stats/heatmap_preparation.h"
#include "stats/tensor_distribution.h"

namespace ws::ui {

namespace {

PreparedHeatmap prepared(const Tensor& t, const PrepareOptions& options) {
    return prepareHeatmap(t, wholeTensorGrid(t), ComparePlots::kMaxCells, ComparePlots::kMaxCells,
                          options);
}

QString rangeText(double h) { return QString::number(h, 'g', 4); }

// "[2, 2]"
QString indexText(const std::vector<std::int64_t>& index) {
    QStringList parts;
    for (std::int64_t i : index) parts << QString::number(i);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// The shortest text that reads back as the stored element (as the values table shows it).
QString valueText(double v, DType dtype) {
    return QString::fromStdString(elementText(Scalar::fromReal(v), dtype));
}

// Where an element sits in the maps: leading axes flattened into rows, the last axis columns.
void rowColumnOf(std::int64_t flat, const std::vector<std::int64_t>& shape, std::int64_t* row,
                 std::int64_t* column) {
    const std::int64_t cols = shape.empty() ? 1 : std::max<std::int64_t>(shape.back(), 1);
    *row = flat / cols;
    *column = flat % cols;
}

}  // namespace

ComparePlots::ComparePlots(QWidget* parent) : QWidget(parent) {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    title_ = new QLabel(this);
    title_->setWordWrap(true);
    grid->addWidget(title_, 0, 0, 1, 3);
    for (int i = 0; i < 3; ++i) {
        captions_[i] = new QLabel(this);
        captions_[i]->setWordWrap(true);
        maps_[i] = new HeatmapPlot(this);
        maps_[i]->setMinimumSize(220, 220);
        grid->addWidget(captions_[i], 1, i);
        grid->addWidget(maps_[i], 2, i);
    }
    captions_[2]->setToolTip(
        tr("A-B has its own symmetric colour scale, +-max|A-B|: differences are usually far "
           "smaller than the weights and would vanish on the A/B scale."));
    histogram_ = new QCustomPlot(this);
    histogram_->setMinimumHeight(160);
    histogram_->legend->setVisible(true);
    histogram_->xAxis->setLabel(tr("value"));
    histogram_->yAxis->setLabel(tr("count"));
    applyPalette(histogram_, palette());
    grid->addWidget(histogram_, 3, 0, 1, 2);
    auto* differencesBox = new QWidget(this);
    auto* differencesLayout = new QVBoxLayout(differencesBox);
    differencesLayout->setContentsMargins(0, 0, 0, 0);
    differencesLayout->addWidget(new QLabel(tr("Largest differences (ringed in A - B)"), this));
    differencesTable_ = new QTableWidget(0, 4, differencesBox);
    differencesTable_->setObjectName(QStringLiteral("largestDifferences"));
    differencesTable_->setHorizontalHeaderLabels({tr("index"), tr("A"), tr("B"), tr("A - B")});
    differencesTable_->verticalHeader()->setVisible(false);
    differencesTable_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    differencesTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    differencesTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    differencesTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    differencesTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(differencesTable_, &QTableWidget::currentCellChanged, this,
            [this](int row) { pickDifference(row); });
    differencesLayout->addWidget(differencesTable_, 1);
    picked_ = new QLabel(differencesBox);
    picked_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    picked_->setWordWrap(true);
    differencesLayout->addWidget(picked_);
    grid->addWidget(differencesBox, 3, 2);
    busy_ = new QProgressBar(this);
    busy_->setRange(0, 0);  // no measurable progress: a moving bar
    busy_->setMaximumHeight(12);
    busy_->setTextVisible(false);
    busy_->setVisible(false);
    grid->addWidget(busy_, 4, 0, 1, 3);
    // Three maps of one size: the differences list below the third must not widen it.
    for (int c = 0; c < 3; ++c) grid->setColumnStretch(c, 1);
    grid->setRowStretch(2, 3);
    grid->setRowStretch(3, 1);
    clear();
}

void ComparePlots::clear(const QString& why) {
    job_.cancel();
    busy_->setVisible(false);
    title_->setText(why.isEmpty() ? tr("Select a layer pair to see its tensors.") : why);
    for (int i = 0; i < 3; ++i) {
        maps_[i]->clearContent();
        maps_[i]->replot();
    }
    captions_[0]->setText(tr("A"));
    captions_[1]->setText(tr("B"));
    captions_[2]->setText(tr("A - B"));
    histogram_->clearGraphs();
    histogram_->replot();
    pickedRings_.clear();  // the maps' clearContent() deleted them
    differences_.clear();
    differencesTable_->setRowCount(0);
    picked_->clear();
    shared_ = diff_ = 0;
}

void ComparePlots::setTensors(TensorPtr a, TensorPtr b, const QString& title) {
    if (!a || !b || a->shape != b->shape) {
        clear(title + " - " +
              (!a || !b ? tr("only one side has this tensor") : tr("the shapes differ")));
        Q_EMIT tensorsShown();
        return;
    }
    // Snapshots: an edit of either model meanwhile leaves what is read as it was.
    a = readSnapshot(a);
    b = readSnapshot(b);
    auto work = [a, b, title](const std::atomic<bool>* cancel) {
        Prepared p;
        runRead(p, [&] { p = prepare(*a, *b, cancel); });
        p.title = title;
        return p;
    };
    if (a->numel() <= kInlineElements) {
        job_.cancel();
        show(work(nullptr));
        return;
    }
    clear(tr("%1  %2 - reading A, B and A - B...")
              .arg(title, QString::fromStdString(shapeToString(a->shape))));
    busy_->setVisible(true);
    job_.start(work, [this](const Prepared& p) { show(p); });
}

ComparePlots::Prepared ComparePlots::prepare(const Tensor& a, const Tensor& b,
                                             const std::atomic<bool>* cancel) {
    Prepared p;
    p.shape = a.shape;
    PrepareOptions options;
    options.cancel = cancel;
    options.threads = a.numel() > kInlineElements ? preparationThreads() : 1;
    const TensorPtr d = compare::differenceTensor(a, b, cancel);
    p.maps[0] = prepared(a, options);
    p.maps[1] = prepared(b, options);
    p.maps[2] = prepared(*d, options);
    // Common bins over both value ranges, so the two outlines line up bar for bar.
    const TensorStats sa = streamStats(a, cancel), sb = streamStats(b, cancel);
    TensorStats both = sa;
    both.finite = sa.finite + sb.finite;
    if (sa.finite == 0) both.min = sb.min, both.max = sb.max;
    if (sa.finite && sb.finite) {
        both.min = std::min(sa.min, sb.min);
        both.max = std::max(sa.max, sb.max);
    }
    p.histograms[0] = streamHistogram(a, kBins, both, cancel);
    p.histograms[1] = streamHistogram(b, kBins, both, cancel);
    p.differences = compare::largestDifferences(a, b, kTopDifferences, cancel);
    p.dtypeA = a.dtype;
    p.dtypeB = b.dtype;
    return p;
}

void ComparePlots::show(const Prepared& p) {
    if (p.cancelled) return;  // a newer selection or clear() took over
    busy_->setVisible(false);
    if (!p.error.isEmpty()) {
        clear(p.title + QStringLiteral(" - ") + p.error);
        Q_EMIT tensorsShown();
        return;
    }
    const PreparedHeatmap &pa = p.maps[0], &pb = p.maps[1], &pd = p.maps[2];
    shared_ = std::max(pa.range.maxAbs, pb.range.maxAbs);
    diff_ = pd.range.maxAbs > 0 ? pd.range.maxAbs : shared_;
    const QString rows = p.shape.size() > 1 ? tr("leading axes") : QString();
    const QString cols = p.shape.empty() ? QString() : tr("axis %1").arg(p.shape.size() - 1);
    maps_[0]->setContent(pa.reduced(BlockReduction::Mean), shared_, {}, {}, rows, cols);
    maps_[1]->setContent(pb.reduced(BlockReduction::Mean), shared_, {}, {}, rows, cols);
    maps_[2]->setContent(pd.reduced(BlockReduction::Mean), diff_, {}, {}, rows, cols);
    for (HeatmapPlot* m : maps_) m->replot();
    const QString blocks = pa.rowBlock > 1 || pa.colBlock > 1
                               ? tr(" (block means of %1 x %2)").arg(pa.rowBlock).arg(pa.colBlock)
                               : QString();
    title_->setText(
        tr("%1  %2%3").arg(p.title, QString::fromStdString(shapeToString(p.shape)), blocks));
    captions_[0]->setText(tr("A  (shared scale +-%1)").arg(rangeText(shared_)));
    captions_[1]->setText(tr("B  (shared scale +-%1)").arg(rangeText(shared_)));
    captions_[2]->setText(pd.range.maxAbs > 0
                              ? tr("A - B  (own scale +-%1 = max|A-B|)").arg(rangeText(diff_))
                              : tr("A - B  (all zero; A/B scale)"));
    drawHistograms(p.histograms[0], p.histograms[1]);
    showDifferences(p);
    Q_EMIT tensorsShown();
}

void ComparePlots::showDifferences(const Prepared& p) {
    pickedRings_.clear();  // setContent() cleared the maps' items
    differences_ = p.differences;
    shape_ = p.shape;
    dtypeA_ = p.dtypeA;
    dtypeB_ = p.dtypeB;
    differencesTable_->blockSignals(true);
    differencesTable_->setRowCount(int(differences_.size()));
    for (int r = 0; r < int(differences_.size()); ++r) {
        const compare::ElementDifference& d = differences_[std::size_t(r)];
        const QString cells[4] = {indexText(d.index), valueText(d.a, dtypeA_),
                                  valueText(d.b, dtypeB_), QString::number(d.a - d.b, 'g', 6)};
        for (int c = 0; c < 4; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            differencesTable_->setItem(r, c, item);
        }
    }
    differencesTable_->blockSignals(false);
    // Rings of a fixed pixel size: a single changed element among a 200 x 200 block mean is a
    // speck, the ring around it is not.
    for (std::size_t i = 0; i < std::min(kRingedDifferences, differences_.size()); ++i) {
        std::int64_t row = 0, column = 0;
        rowColumnOf(differences_[i].flatIndex, shape_, &row, &column);
        ring(maps_[2], row, column, QColor(0, 0, 0), i == 0 ? 18 : 12);
    }
    maps_[2]->replot();
    if (differences_.empty()) {
        picked_->setText(tr("A and B are identical."));
        return;
    }
    picked_->setText(tr("Largest difference at %1").arg(indexText(differences_.front().index)));
}

QCPItemTracer* ComparePlots::ring(HeatmapPlot* map, std::int64_t row, std::int64_t column,
                                  const QColor& colour, int pixels) {
    auto* ring = new QCPItemTracer(map);
    ring->setStyle(QCPItemTracer::tsCircle);
    ring->setSize(pixels);
    ring->setPen(QPen(colour, 2));
    ring->position->setType(QCPItemPosition::ptPlotCoords);
    ring->position->setCoords(double(column), double(row));  // element i is centred on i
    return ring;
}

void ComparePlots::pickDifference(int i) {
    for (int m = 0; m < 3; ++m)
        if (m < pickedRings_.size()) maps_[m]->removeItem(pickedRings_[m]);
    pickedRings_.clear();
    if (i < 0 || std::size_t(i) >= differences_.size()) return;
    const compare::ElementDifference& d = differences_[std::size_t(i)];
    if (differencesTable_->currentRow() != i) {
        differencesTable_->blockSignals(true);
        differencesTable_->setCurrentCell(i, 0);
        differencesTable_->blockSignals(false);
    }
    picked_->setText(tr("At %1:  A = %2   B = %3   A - B = %4")
                         .arg(indexText(d.index), valueText(d.a, dtypeA_), valueText(d.b, dtypeB_),
                              QString::number(d.a - d.b, 'g', 6)));
    std::int64_t row = 0, column = 0;
    rowColumnOf(d.flatIndex, shape_, &row, &column);
    for (HeatmapPlot* map : maps_) {
        pickedRings_ << ring(map, row, column, QColor(0, 200, 255), 22);
        map->replot();
    }
}

void ComparePlots::drawHistograms(const Histogram& ha, const Histogram& hb) {
    histogram_->clearGraphs();
    double top = 0;
    const QColor colours[2] = {QColor(31, 119, 180), QColor(255, 127, 14)};
    const Histogram* hs[2] = {&ha, &hb};
    for (int s = 0; s < 2; ++s) {
        QVector<double> keys, counts;
        for (std::size_t i = 0; i < hs[s]->counts.size(); ++i) {
            keys << hs[s]->lo + double(i) * hs[s]->binWidth();
            counts << double(hs[s]->counts[i]);
            top = std::max(top, counts.back());
        }
        keys << hs[s]->hi;  // close the last step
        counts << (counts.isEmpty() ? 0.0 : counts.back());
        QCPGraph* g = histogram_->addGraph();
        g->setName(s == 0 ? tr("A") : tr("B"));
        g->setLineStyle(QCPGraph::lsStepLeft);
        QColor fill = colours[s];
        fill.setAlpha(70);
        g->setPen(QPen(colours[s], 1.5));
        g->setBrush(fill);
        g->setData(keys, counts, true);
    }
    histogram_->xAxis->setRange(ha.lo, ha.hi > ha.lo ? ha.hi : ha.lo + 1);
    histogram_->yAxis->setRange(0, top > 0 ? top * 1.05 : 1);
    histogram_->replot();
}

}  // namespace ws::ui
