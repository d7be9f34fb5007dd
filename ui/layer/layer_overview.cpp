#include "layer/layer_overview.h"

#include <QGridLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <functional>

#include "heatmap/heatmap_plot.h"
#include "inspect/recurrent_gates.h"
#include "stats/heatmap_reduction.h"

namespace ws::ui {

namespace {

// Small tiles only need a coarse picture.
constexpr std::int64_t kTileCells = 128;

void collectTensors(const Node* node, std::vector<const Node*>& out) {
    if (int(out.size()) >= LayerOverview::kMaxTensors) return;
    if (node->kind == NodeKind::Tensor && node->tensor) out.push_back(node);
    for (const auto& c : node->children) collectTensors(c.get(), out);
}

}  // namespace

LayerOverview::LayerOverview(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    header_ = new QLabel(this);
    header_->setWordWrap(true);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(header_);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    grid_ = new QWidget(scroll);
    gridLayout_ = new QGridLayout(grid_);
    scroll->setWidget(grid_);
    layout->addWidget(scroll, 1);
    watcher_ = new QFutureWatcher<std::vector<TensorDataPtr>>(this);
    connect(watcher_, &QFutureWatcherBase::finished, this, [this] {
        if (watcher_->property("generation").toInt() != generation_) return;
        const auto results = watcher_->result();
        for (std::size_t i = 0; i < results.size() && i < tensors_.size(); ++i)
            show(int(i), results[i]);
        Q_EMIT allShown();
    });
}

QString LayerOverview::titleAt(int i) const { return titles_.at(std::size_t(i))->text(); }

void LayerOverview::setNode(std::shared_ptr<const Model> model, const Node* node) {
    ++generation_;
    model_ = std::move(model);
    tensors_.clear();
    for (QLabel* t : titles_) t->deleteLater();
    for (HeatmapPlot* p : plots_) p->deleteLater();
    titles_.clear();
    plots_.clear();
    if (!node) return;

    QStringList head;
    head << QStringLiteral("<b>%1</b>").arg(QString::fromStdString(node->path).toHtmlEscaped());
    if (!node->className.empty())
        head << tr("class %1").arg(QString::fromStdString(node->className).toHtmlEscaped());
    for (const auto& [key, text] : node->attributes) {
        QString v = QString::fromStdString(text);
        if (v.size() > 200) v = v.left(197) + QStringLiteral("...");
        head << QStringLiteral("%1 = %2").arg(QString::fromStdString(key), v).toHtmlEscaped();
    }
    collectTensors(node, tensors_);
    if (tensors_.empty()) head << tr("No tensors below this node.");
    header_->setText(head.join(QStringLiteral("<br>")));

    const int columns = tensors_.size() <= 4 ? int(tensors_.size()) : 3;
    std::vector<TensorPtr> toLoad;
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
        const Node* t = tensors_[i];
        auto* title = new QLabel(QStringLiteral("%1  %2 %3")
                                     .arg(QString::fromStdString(t->name))
                                     .arg(QString::fromStdString(shapeToString(t->tensor->shape)))
                                     .arg(QString::fromLatin1(dtypeName(t->tensor->dtype))),
                                 grid_);
        title->setToolTip(QString::fromStdString(t->path));
        auto* plot = new HeatmapPlot(grid_);
        plot->setShowColorScale(false);
        plot->setInteractions(QCP::Interactions());
        plot->setMinimumSize(200, 160);
        plot->setCursor(Qt::PointingHandCursor);
        plot->setToolTip(tr("Open %1").arg(QString::fromStdString(t->path)));
        plot->installEventFilter(this);
        const int row = int(i) / std::max(columns, 1) * 2, col = int(i) % std::max(columns, 1);
        gridLayout_->addWidget(title, row, col);
        gridLayout_->addWidget(plot, row + 1, col);
        titles_.push_back(title);
        plots_.push_back(plot);
        toLoad.push_back(t->tensor);
    }
    watcher_->setProperty("generation", generation_);
    watcher_->setFuture(QtConcurrent::run([toLoad] {
        std::vector<TensorDataPtr> out;
        for (const auto& t : toLoad) out.push_back(loadTensorData(t));
        return out;
    }));
}

void LayerOverview::show(int i, TensorDataPtr data) {
    HeatmapPlot* plot = plots_[std::size_t(i)];
    if (!data->error.isEmpty() || data->values.empty()) {
        plot->clearContent();
        titles_[std::size_t(i)]->setText(titles_[std::size_t(i)]->text() + QStringLiteral(" — ") +
                                         (data->error.isEmpty() ? tr("empty") : data->error));
        return;
    }
    const GateLayout gates = recurrentGateLayout(*model_, *tensors_[std::size_t(i)]);
    const SliceSpec spec = defaultSlice(data->shape);
    const Matrix2D m = extractSlice(data->values, data->shape, spec);
    const ReducedMatrix reduced = reduceForDisplay(m, kTileCells, kTileCells, BlockReduction::Mean);
    AxisBlocks rows, cols;
    if (gates.valid()) {
        AxisBlocks g{gates.gateSize, {}};
        for (const auto& l : gates.labels) g.labels << QString::fromStdString(l);
        if (gates.axis == spec.rowAxis) rows = g;
        if (gates.axis == spec.colAxis) cols = g;
    }
    plot->setContent(reduced, data->maxAbs, rows, cols, {}, {});
    // Each tile has its own symmetric range (no colour bar at this size): say which.
    QLabel* title = titles_[std::size_t(i)];
    title->setText(title->text() + QStringLiteral("  ±%1").arg(data->maxAbs, 0, 'g', 3));
}

bool LayerOverview::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::MouseButtonRelease) {
        for (std::size_t i = 0; i < plots_.size(); ++i)
            if (plots_[i] == watched)
                Q_EMIT tensorActivated(QString::fromStdString(tensors_[i]->path));
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace ws::ui
