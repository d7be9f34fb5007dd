// SPDX-License-Identifier: GPL-3.0-or-later
#include "layer/layer_overview.h"

#include <QGridLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QScrollArea>
#include <QVBoxLayout>
#include <functional>

#include "edit/editable_storage.h"
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
}

QString LayerOverview::titleAt(int i) const { return titles_.at(std::size_t(i))->text(); }

void LayerOverview::setNode(std::shared_ptr<const Model> model, const Node* node) {
    job_.cancel();
    model_ = std::move(model);
    tensors_.clear();
    for (QLabel* t : titles_) t->deleteLater();
    for (HeatmapPlot* p : plots_) p->deleteLater();
    titles_.clear();
    titleTexts_.clear();
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
        titleTexts_ << title->text();
        plots_.push_back(plot);
    }
    readTiles();
}

void LayerOverview::tensorsEdited(const QSet<QString>& paths) {
    for (const Node* t : tensors_)
        if (paths.contains(QString::fromStdString(t->path))) {
            // Hidden (behind the tensor views, or on another tab) it would read for nobody:
            // read when shown again.
            if (isVisible())
                readTiles();
            else
                tilesOutdated_ = true;
            return;
        }
}

void LayerOverview::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (tilesOutdated_) readTiles();
}

void LayerOverview::readTiles() {
    tilesOutdated_ = false;
    std::vector<TensorPtr> toLoad;
    for (const Node* t : tensors_) toLoad.push_back(readSnapshot(t->tensor));  // see heatmap
    const int threads = preparationThreads();
    job_.start(
        [toLoad, threads](const std::atomic<bool>* cancel) {
            Tiles out;
            PrepareOptions options;
            options.cancel = cancel;
            options.threads = threads;
            for (const auto& t : toLoad) {
                Tile tile;
                try {
                    // The default slice, its block means, and the tensor's largest |x| (from
                    // the same pass when the slice is the whole tensor).
                    const ElementGrid grid = sliceGrid(*t, defaultSlice(t->shape));
                    tile.prepared = prepareHeatmap(*t, grid, kTileCells, kTileCells, options);
                    tile.maxAbs = t->shape.size() <= 2 ? tile.prepared.range.maxAbs
                                                       : tensorColourRange(*t, options).maxAbs;
                } catch (const ReadCancelled&) {
                    out.cancelled = true;
                    return out;
                } catch (const std::exception& e) {
                    tile.error = QString::fromStdString(e.what());
                }
                out.tiles.push_back(std::move(tile));
            }
            return out;
        },
        [this](const Tiles& result) {
            if (result.cancelled) return;
            for (std::size_t i = 0; i < result.tiles.size() && i < tensors_.size(); ++i)
                show(int(i), result.tiles[i]);
            Q_EMIT allShown();
        });
}

void LayerOverview::show(int i, const Tile& tile) {
    HeatmapPlot* plot = plots_[std::size_t(i)];
    if (!tile.error.isEmpty() || tile.prepared.rows == 0) {
        plot->clearContent();
        titles_[std::size_t(i)]->setText(titleTexts_[i] + QStringLiteral(" — ") +
                                         (tile.error.isEmpty() ? tr("empty") : tile.error));
        return;
    }
    const GateLayout gates = recurrentGateLayout(*model_, *tensors_[std::size_t(i)]);
    const SliceSpec spec = defaultSlice(tensors_[std::size_t(i)]->tensor->shape);
    const ReducedMatrix reduced = tile.prepared.reduced(BlockReduction::Mean);
    AxisBlocks rows, cols;
    if (gates.valid()) {
        AxisBlocks g{gates.gateSize, {}};
        for (const auto& l : gates.labels) g.labels << QString::fromStdString(l);
        if (gates.axis == spec.rowAxis) rows = g;
        if (gates.axis == spec.colAxis) cols = g;
    }
    plot->setContent(reduced, tile.maxAbs, rows, cols, {}, {});
    // Each tile has its own symmetric range (no colour bar at this size): say which.
    QLabel* title = titles_[std::size_t(i)];
    title->setText(titleTexts_[i] + QStringLiteral("  ±%1").arg(tile.maxAbs, 0, 'g', 3));
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
