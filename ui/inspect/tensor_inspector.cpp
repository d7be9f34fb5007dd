// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspect/tensor_inspector.h"

#include <QLabel>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

#include "heatmap/heatmap_view.h"
#include "histogram/histogram_view.h"
#include "inspect/slice_controls.h"
#include "tree/model_tree_model.h"
#include "values/values_view.h"

namespace ws::ui {

TensorInspector::TensorInspector(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    header_ = new QLabel(this);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header_->setWordWrap(true);
    layout->addWidget(header_);
    slice_ = new SliceControls(this);
    layout->addWidget(slice_);
    tabs_ = new QTabWidget(this);
    heatmap_ = new HeatmapView(tabs_);
    histogram_ = new HistogramView(tabs_);
    values_ = new ValuesView(tabs_);
    tabs_->addTab(heatmap_, tr("Heatmap"));
    tabs_->addTab(histogram_, tr("Histogram && statistics"));
    tabs_->addTab(values_, tr("Values"));
    layout->addWidget(tabs_, 1);
    connect(heatmap_, &HeatmapView::ready, this, [this] {
        heatmapReady_ = true;
        onViewReady();
    });
    connect(histogram_, &HistogramView::ready, this, [this] {
        statsReady_ = true;
        onViewReady();
    });
    connect(slice_, &SliceControls::sliceChanged, this, &TensorInspector::onSliceChanged);
    // The tile grid shows the whole kernel; the slice then only drives the values tab.
    auto updateSliceEnabled = [this] {
        slice_->setEnabled(!(tabs_->currentWidget() == heatmap_ && heatmap_->showingTiles()));
    };
    connect(heatmap_, &HeatmapView::tilesShown, this, updateSliceEnabled);
    connect(tabs_, &QTabWidget::currentChanged, this, updateSliceEnabled);
}

void TensorInspector::showTab(Tab tab) { tabs_->setCurrentIndex(int(tab)); }

void TensorInspector::setTensor(std::shared_ptr<const Model> model, const Node* node) {
    model_ = std::move(model);
    node_ = node;
    ++generation_;
    tensor_.reset();
    heatmap_->clear();
    histogram_->clear();
    values_->valuesModel()->setSlice(nullptr, {});
    heatmapReady_ = statsReady_ = announced_ = true;
    if (!node || !node->tensor) return;
    tensor_ = node->tensor;
    const Tensor& t = *tensor_;
    gates_ = recurrentGateLayout(*model_, *node);
    headerText_ = QStringLiteral("<b>%1</b> &nbsp; %2 &nbsp; %3 &nbsp; %4 elements, %5")
                      .arg(QString::fromStdString(node->path).toHtmlEscaped())
                      .arg(QString::fromStdString(shapeToString(t.shape)))
                      .arg(QString::fromLatin1(dtypeName(t.dtype)))
                      .arg(t.numel())
                      .arg(humanBytes(t.nbytes()));
    header_->setText(headerText_ + QStringLiteral(" &nbsp; <i>%1</i>").arg(tr("reading...")));
    heatmapReady_ = statsReady_ = announced_ = false;
    // The shape is known without reading anything: controls and the lazy table are set now.
    slice_->setShape(t.shape);
    values_->valuesModel()->setSlice(tensor_, slice_->spec());
    const bool keras = model_->format.rfind("keras", 0) == 0;
    heatmap_->setTensor(tensor_, gates_, keras);
    histogram_->setTensor(tensor_);
}

void TensorInspector::onViewReady() {
    if (announced_ || !heatmapReady_ || !statsReady_) return;
    announced_ = true;
    header_->setText(headerText_);
    // Small tensors are ready before setTensor() returns; observers connect around that call,
    // so the announcement always comes from the event loop.
    const int generation = generation_;
    QTimer::singleShot(0, this, [this, generation] {
        if (generation == generation_) Q_EMIT dataShown();
    });
}

void TensorInspector::onSliceChanged() {
    if (!tensor_) return;
    heatmap_->setSlice(slice_->spec());
    values_->valuesModel()->setSlice(tensor_, slice_->spec());
}

}  // namespace ws::ui
