// SPDX-License-Identifier: GPL-3.0-or-later
#include "heatmap/heatmap_plot.h"

#include <QToolTip>
#include <cmath>

#include "heatmap/data_colors.h"
#include "plot/plot_style.h"

namespace ws::ui {

namespace {

// More separators than this would paint the map grey; they are dropped (labels too).
constexpr std::int64_t kMaxSeparators = 64;

}  // namespace

HeatmapPlot::HeatmapPlot(QWidget* parent) : QCustomPlot(parent) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMouseTracking(true);
    setToolTip(QString());  // the per-cell tooltip is shown from mouseMoveEvent
    setWhatsThis(tr("Drag to pan, wheel to zoom, double-click to show the whole matrix."));
    yAxis->setRangeReversed(true);   // row 0 at the top, like a printed matrix
    yAxis2->setRangeReversed(true);  // the gate labels' axis must run the same way
    xAxis2->setVisible(true);
    yAxis2->setVisible(true);
    xAxis2->setTickLabels(false);
    yAxis2->setTickLabels(false);
    xAxis2->setTicks(false);
    yAxis2->setTicks(false);
    for (QCPAxis* a : {xAxis, yAxis}) {
        a->grid()->setVisible(false);
        a->ticker()->setTickStepStrategy(QCPAxisTicker::tssReadability);
    }
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), xAxis2,
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), yAxis2,
            qOverload<const QCPRange&>(&QCPAxis::setRange));

    map_ = new QCPColorMap(xAxis, yAxis);
    map_->setInterpolate(false);
    map_->setTightBoundary(false);

    scale_ = new QCPColorScale(this);
    scale_->setType(QCPAxis::atRight);
    scale_->setBarWidth(14);
    scale_->axis()->setLabel(tr("value"));
    plotLayout()->addElement(0, 1, scale_);
    map_->setColorScale(scale_);
    scale_->setGradient(divergingGradient());  // after linking: the map adopts the scale's
    margins_ = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins_);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins_);
    applyPalette(this, palette());
}

void HeatmapPlot::changeEvent(QEvent* event) {
    QCustomPlot::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        applyPalette(this, palette());
        replot();
    }
}

void HeatmapPlot::setShowColorScale(bool show) {
    scale_->setVisible(show);
    if (!show && plotLayout()->elementCount() > 1) plotLayout()->take(scale_);
    plotLayout()->simplify();
}

void HeatmapPlot::clearContent() {
    reduced_ = {};
    rowBlocks_ = colBlocks_ = {};
    map_->data()->clear();
    if (infOverlay_) {
        removePlottable(infOverlay_);
        infOverlay_ = nullptr;
    }
    clearItems();
    replot();
}

void HeatmapPlot::setContent(const ReducedMatrix& reduced, double halfRange, const AxisBlocks& rows,
                             const AxisBlocks& cols, const QString& rowTitle,
                             const QString& colTitle) {
    clearContent();
    reduced_ = reduced;
    const Matrix2D& m = reduced.matrix;
    if (m.rows == 0 || m.cols == 0) return;
    const std::int64_t srcRows = m.rows * reduced.rowBlock, srcCols = m.cols * reduced.colBlock;
    // Cell centres in source coordinates: reduced cell j covers [j*block, (j+1)*block).
    auto centre = [](std::int64_t i, std::int64_t block) {
        return double(i * block) + double(block - 1) / 2.0;
    };
    const QCPRange keys(centre(0, reduced.colBlock), centre(m.cols - 1, reduced.colBlock));
    const QCPRange values(centre(0, reduced.rowBlock), centre(m.rows - 1, reduced.rowBlock));
    map_->data()->setSize(int(m.cols), int(m.rows));
    map_->data()->setRange(keys, values);
    bool anyInf = false;
    for (std::int64_t r = 0; r < m.rows; ++r)
        for (std::int64_t c = 0; c < m.cols; ++c) {
            const double v = m.at(r, c);
            anyInf |= std::isinf(v);
            map_->data()->setCell(int(c), int(r), v);
        }
    // QCustomPlot draws a 1-cell axis with zero width; give it the block's width explicitly.
    if (m.cols == 1) map_->data()->setKeyRange(QCPRange(keys.lower - 0.5, keys.lower + 0.5));
    if (m.rows == 1) map_->data()->setValueRange(QCPRange(values.lower - 0.5, values.lower + 0.5));

    if (anyInf) {
        // Infinities get their own colours from a second map drawn on top; everything else in
        // it is NaN and therefore transparent.
        infOverlay_ = new QCPColorMap(xAxis, yAxis);
        infOverlay_->setInterpolate(false);
        infOverlay_->setTightBoundary(false);
        infOverlay_->setGradient(infinityGradient());
        infOverlay_->data()->setSize(int(m.cols), int(m.rows));
        infOverlay_->data()->setRange(map_->data()->keyRange(), map_->data()->valueRange());
        for (std::int64_t r = 0; r < m.rows; ++r)
            for (std::int64_t c = 0; c < m.cols; ++c) {
                const double v = m.at(r, c);
                infOverlay_->data()->setCell(int(c), int(r),
                                             std::isinf(v) ? (v > 0 ? 1.0 : -1.0) : qQNaN());
            }
        infOverlay_->setDataRange(QCPRange(-1, 1));
    }

    // A single row or column (1-D strips, (n, 1) matrices) has no index worth a tick.
    const bool rowTicks = m.rows * reduced.rowBlock > 1, colTicks = m.cols * reduced.colBlock > 1;
    yAxis->setTicks(rowTicks);
    yAxis->setTickLabels(rowTicks);
    xAxis->setTicks(colTicks);
    xAxis->setTickLabels(colTicks);

    const double h = halfRange > 0 && std::isfinite(halfRange) ? halfRange : 1.0;
    map_->setDataRange(QCPRange(-h, h));
    xAxis->setLabel(colTitle);
    yAxis->setLabel(rowTitle);
    rowBlocks_ = rows;
    colBlocks_ = cols;
    drawBlocks(rows, true, srcRows);
    drawBlocks(cols, false, srcCols);
    resetView();
}

void HeatmapPlot::drawBlocks(const AxisBlocks& blocks, bool rows, std::int64_t extent) {
    QCPAxis* labelAxis = rows ? yAxis2 : xAxis2;
    if (blocks.blockSize <= 0 || extent / blocks.blockSize > kMaxSeparators) {
        labelAxis->setTickLabels(false);
        return;
    }
    // Few blocks (gates) get bold lines; a dense kernel grid gets thin, lighter ones so the
    // filters stay readable.
    const bool dense = extent / blocks.blockSize > 12;
    QColor lineColor = palette().color(QPalette::WindowText);
    if (dense) lineColor.setAlpha(200);
    const QPen pen(lineColor, dense ? 1.0 : 1.5);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    int block = 0;
    for (std::int64_t b = 0; b < extent; b += blocks.blockSize, ++block) {
        if (b > 0) {
            auto* line = new QCPItemStraightLine(this);
            line->setPen(pen);
            line->setClipToAxisRect(true);
            const double at = double(b) - 0.5;
            line->point1->setCoords(rows ? 0 : at, rows ? at : 0);
            line->point2->setCoords(rows ? 1 : at, rows ? at : 1);
        }
        if (block < blocks.labels.size())
            ticker->addTick(double(b) + double(blocks.blockSize - 1) / 2.0, blocks.labels[block]);
    }
    const bool labelled = !blocks.labels.isEmpty();
    labelAxis->setTicker(ticker);
    labelAxis->setTickLabels(labelled);
    labelAxis->setTicks(labelled);
    labelAxis->setSubTicks(false);
    QFont bold = font();
    bold.setBold(true);
    labelAxis->setTickLabelFont(bold);
}

void HeatmapPlot::resetView() {
    const QCPRange k = map_->data()->keyRange(), v = map_->data()->valueRange();
    const double kh =
        map_->data()->keySize() > 1 ? (k.upper - k.lower) / (map_->data()->keySize() - 1) / 2 : 0.5;
    const double vh = map_->data()->valueSize() > 1
                          ? (v.upper - v.lower) / (map_->data()->valueSize() - 1) / 2
                          : 0.5;
    const bool oneCol = map_->data()->keySize() == 1, oneRow = map_->data()->valueSize() == 1;
    xAxis->setRange(oneCol ? k : QCPRange(k.lower - kh, k.upper + kh));
    yAxis->setRange(oneRow ? v : QCPRange(v.lower - vh, v.upper + vh));
    replot();
}

QString HeatmapPlot::describeAt(const QPoint& pos) const {
    const Matrix2D& m = reduced_.matrix;
    if (m.rows == 0 || !axisRect()->rect().contains(pos)) return {};
    int key = 0, value = 0;
    map_->data()->coordToCell(xAxis->pixelToCoord(pos.x()), yAxis->pixelToCoord(pos.y()), &key,
                              &value);
    if (key < 0 || value < 0 || key >= m.cols || value >= m.rows) return {};
    const std::int64_t r0 = value * reduced_.rowBlock, c0 = key * reduced_.colBlock;
    const std::int64_t r1 = r0 + reduced_.rowBlock, c1 = c0 + reduced_.colBlock;
    const double v = m.at(value, key);
    return describer_ ? describer_(r0, r1, c0, c1, v)
                      : QStringLiteral("[%1, %2] = %3").arg(r0).arg(c0).arg(v, 0, 'g', 7);
}

bool HeatmapPlot::elementAt(const QPoint& pos, std::int64_t* row, std::int64_t* column) const {
    const Matrix2D& m = reduced_.matrix;
    if (m.rows == 0 || !axisRect()->rect().contains(pos)) return false;
    // The axes are in source coordinates with element i centred on i.
    const double x = xAxis->pixelToCoord(pos.x()), y = yAxis->pixelToCoord(pos.y());
    const std::int64_t r = std::int64_t(std::floor(y + 0.5)), c = std::int64_t(std::floor(x + 0.5));
    if (r < 0 || c < 0 || r >= m.rows * reduced_.rowBlock || c >= m.cols * reduced_.colBlock)
        return false;
    *row = r;
    *column = c;
    return true;
}

void HeatmapPlot::mousePressEvent(QMouseEvent* event) {
    pressedAt_ = event->button() == Qt::LeftButton ? event->pos() : QPoint(-1, -1);
    QCustomPlot::mousePressEvent(event);
}

void HeatmapPlot::mouseReleaseEvent(QMouseEvent* event) {
    QCustomPlot::mouseReleaseEvent(event);
    // A drag pans the view; only a click that stayed put selects.
    if (event->button() != Qt::LeftButton || pressedAt_.x() < 0 ||
        (event->pos() - pressedAt_).manhattanLength() > 3)
        return;
    pressedAt_ = QPoint(-1, -1);
    std::int64_t r = 0, c = 0;
    if (elementAt(event->pos(), &r, &c)) Q_EMIT elementClicked(r, c);
}

void HeatmapPlot::mouseDoubleClickEvent(QMouseEvent* event) {
    QCustomPlot::mouseDoubleClickEvent(event);
    if (reduced_.matrix.rows > 0) resetView();
}

void HeatmapPlot::mouseMoveEvent(QMouseEvent* event) {
    QCustomPlot::mouseMoveEvent(event);
    if (event->buttons() != Qt::NoButton) return;  // dragging: no tooltip flicker
    const QString text = describeAt(event->pos());
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

}  // namespace ws::ui
