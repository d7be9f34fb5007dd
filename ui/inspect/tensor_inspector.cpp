#include "inspect/tensor_inspector.h"

#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

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
    watcher_ = new QFutureWatcher<TensorDataPtr>(this);
    connect(watcher_, &QFutureWatcherBase::finished, this, &TensorInspector::onLoaded);
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
    data_.reset();
    heatmap_->clear();
    histogram_->clear();
    values_->valuesModel()->setSlice(nullptr, {});
    if (!node || !node->tensor) return;
    const Tensor& t = *node->tensor;
    gates_ = recurrentGateLayout(*model_, *node);
    QString text = QStringLiteral("<b>%1</b> &nbsp; %2 &nbsp; %3 &nbsp; %4 elements, %5")
                       .arg(QString::fromStdString(node->path).toHtmlEscaped())
                       .arg(QString::fromStdString(shapeToString(t.shape)))
                       .arg(QString::fromLatin1(dtypeName(t.dtype)))
                       .arg(t.numel())
                       .arg(humanBytes(t.nbytes()));
    header_->setText(text + QStringLiteral(" &nbsp; <i>%1</i>").arg(tr("reading...")));
    const int generation = ++generation_;
    watcher_->setProperty("generation", generation);
    watcher_->setProperty("header", text);
    TensorPtr tensor = node->tensor;
    watcher_->setFuture(QtConcurrent::run([tensor] { return loadTensorData(tensor); }));
}

void TensorInspector::onLoaded() {
    // A newer selection replaced this one while it was loading: its result is stale.
    if (watcher_->property("generation").toInt() != generation_ || !node_) return;
    data_ = watcher_->result();
    header_->setText(watcher_->property("header").toString());
    const bool keras = model_->format.rfind("keras", 0) == 0;
    slice_->setShape(data_->shape);
    heatmap_->setData(data_, gates_, keras);
    histogram_->setData(data_);
    values_->valuesModel()->setSlice(data_, slice_->spec());
    Q_EMIT dataShown();
}

void TensorInspector::onSliceChanged() {
    if (!data_) return;
    heatmap_->setSlice(slice_->spec());
    values_->valuesModel()->setSlice(data_, slice_->spec());
}

}  // namespace ws::ui
