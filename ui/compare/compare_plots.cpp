// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/compare_plots.h"

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>
#include <algorithm>

#include "compare/diff_metrics.h"
#include "edit/editable_storage.h"
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
    grid->addWidget(histogram_, 3, 0, 1, 3);
    busy_ = new QProgressBar(this);
    busy_->setRange(0, 0);  // no measurable progress: a moving bar
    busy_->setMaximumHeight(12);
    busy_->setTextVisible(false);
    busy_->setVisible(false);
    grid->addWidget(busy_, 4, 0, 1, 3);
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
    Q_EMIT tensorsShown();
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
