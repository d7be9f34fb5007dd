#include "histogram/histogram_view.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>
#include "plot/custom_plot.h"

#include "histogram/stats_panel.h"
#include "plot/plot_style.h"

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

    connect(log_, &QCheckBox::toggled, this, &HistogramView::refresh);
    connect(bins_, qOverload<int>(&QSpinBox::valueChanged), this, &HistogramView::refresh);
}

void HistogramView::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPalette(plot_, palette());
        bars_->setBrush(palette().color(QPalette::Highlight));
        plot_->replot();
    }
}

void HistogramView::setData(TensorDataPtr data) {
    data_ = std::move(data);
    if (data_ && data_->error.isEmpty())
        stats_->setStatistics(computeStats(data_->values));
    else
        stats_->clear();
    refresh();
}

void HistogramView::clear() {
    data_.reset();
    histogram_ = {};
    bars_->data()->clear();
    stats_->clear();
    plot_->replot();
}

void HistogramView::setLogCounts(bool log) { log_->setChecked(log); }
void HistogramView::setBinCount(int bins) { bins_->setValue(bins); }

void HistogramView::refresh() {
    histogram_ = data_ ? computeHistogram(data_->values, bins_->value()) : Histogram{};
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
