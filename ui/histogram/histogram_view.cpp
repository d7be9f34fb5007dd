// SPDX-License-Identifier: GPL-3.0-or-later
#include "histogram/histogram_view.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>
#include "edit/editable_storage.h"
#include "plot/custom_plot.h"

#include "histogram/stats_panel.h"
#include "plot/plot_style.h"
#include "stats/element_grid.h"
#include "stats/tensor_distribution.h"

namespace ws::ui {

HistogramView::HistogramView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    auto* left = new QVBoxLayout;
    auto* options = new QHBoxLayout;
    log_ = new QCheckBox(tr("Log counts"), this);
    bins_ = new QSpinBox(this);
    bins_->setRange(1, 1000);
    bins_->setValue(100);
    options->addWidget(log_);
    options->addWidget(new QLabel(tr("Bins:"), this));
    options->addWidget(bins_);
    options->addStretch(1);
    left->addLayout(options);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setVisible(false);
    left->addWidget(status_);
    plot_ = new QCustomPlot(this);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->axisRect()->setRangeZoom(Qt::Horizontal);
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
    plot_->xAxis->setLabel(tr("value"));
    plot_->yAxis->setLabel(tr("count"));
    bars_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars_->setPen(Qt::NoPen);
    left->addWidget(plot_, 1);
    layout->addLayout(left, 1);
    stats_ = new StatsPanel(this);
    layout->addWidget(stats_);
    applyPalette(plot_, palette());
    bars_->setBrush(palette().color(QPalette::Highlight));

    connect(log_, &QCheckBox::toggled, this, &HistogramView::draw);
    connect(bins_, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
        if (tensor_ && haveStats_) compute(false);
    });
}

void HistogramView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPalette(plot_, palette());
        bars_->setBrush(palette().color(QPalette::Highlight));
        plot_->replot();
    }
}

void HistogramView::setTensor(TensorPtr tensor) {
    clear();
    tensor_ = std::move(tensor);
    if (tensor_) compute(true);
}

void HistogramView::clear() {
    job_.cancel();
    tensor_.reset();
    haveStats_ = false;
    histogram_ = {};
    status_->setVisible(false);
    bars_->data()->clear();
    stats_->clear();
    plot_->replot();
}

void HistogramView::compute(bool withStats) {
    const TensorPtr tensor = readSnapshot(tensor_);  // later edits leave it as it is
    const TensorStats known = statistics_;
    const int bins = bins_->value();
    auto work = [tensor, known, bins, withStats](const std::atomic<bool>* cancel) {
        Job job;
        runRead(job, [&] {
            job.stats = withStats ? streamStats(*tensor, cancel) : known;
            job.hasStats = withStats;
            job.histogram = streamHistogram(*tensor, bins, job.stats, cancel);
        });
        return job;
    };
    if (tensor->numel() <= kInlineElements) {
        apply(work(nullptr));
        return;
    }
    status_->setText(withStats ? tr("Computing statistics and histogram...")
                               : tr("Counting %1 bins...").arg(bins));
    status_->setVisible(true);
    job_.start(work, [this](const Job& job) { apply(job); });
}

void HistogramView::apply(const Job& job) {
    if (job.cancelled) return;
    status_->setVisible(!job.error.isEmpty());
    if (!job.error.isEmpty()) {
        status_->setText(tr("Cannot read the values: %1").arg(job.error));
        stats_->clear();
        histogram_ = {};
    } else {
        if (job.hasStats) {
            statistics_ = job.stats;
            haveStats_ = true;
            stats_->setStatistics(job.stats);
        }
        histogram_ = job.histogram;
        // The bin count changed while the statistics were being read.
        if (int(histogram_.counts.size()) != bins_->value()) return compute(false);
    }
    draw();
    Q_EMIT ready();
}

void HistogramView::setLogCounts(bool log) { log_->setChecked(log); }
void HistogramView::setBinCount(int bins) { bins_->setValue(bins); }

void HistogramView::draw() {
    QVector<double> keys, counts;
    double top = 0;
    for (std::size_t i = 0; i < histogram_.counts.size(); ++i) {
        keys << histogram_.lo + (double(i) + 0.5) * histogram_.binWidth();
        counts << double(histogram_.counts[i]);
        top = std::max(top, counts.back());
    }
    bars_->setWidth(histogram_.binWidth());
    bars_->setData(keys, counts, true);
    const bool log = log_->isChecked();
    plot_->yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log)
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    // Bars grow from 1 on a log axis (log 0 does not exist); empty bins simply show nothing.
    bars_->setBaseValue(log ? 1 : 0);
    plot_->yAxis->setLabel(log ? tr("count (log)") : tr("count"));
    plot_->xAxis->setRange(histogram_.lo, histogram_.hi);
    plot_->yAxis->setRange(log ? 0.8 : 0, std::max(1.0, top * (log ? 2.0 : 1.05)));
    plot_->replot();
}

}  // namespace ws::ui
