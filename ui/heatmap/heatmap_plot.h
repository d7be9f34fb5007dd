// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The colour-map plot itself: draws a (possibly block-reduced) matrix with a symmetric diverging
// scale, block separators with labels (gates, kernel tiles), and a tooltip naming the element
// under the mouse. It knows nothing about tensors: HeatmapView tells it what to draw.
#include <QStringList>
#include <functional>
#include "plot/custom_plot.h"

#include "stats/heatmap_reduction.h"

namespace ws::ui {

// Separators every `blockSize` rows (or columns) of the source matrix, labelled when labels are
// given (one per block).
struct AxisBlocks {
    std::int64_t blockSize = 0;
    QStringList labels;
};

class HeatmapPlot : public QCustomPlot {
    Q_OBJECT
  public:
    explicit HeatmapPlot(QWidget* parent = nullptr);

    // Cell (key = column, value = row) of the colour map holds reduced.matrix.at(row, column);
    // the axes are in source-matrix coordinates, so a reduced cell spans rowBlock × colBlock.
    void setContent(const ReducedMatrix& reduced, double halfRange, const AxisBlocks& rows,
                    const AxisBlocks& cols, const QString& rowTitle, const QString& colTitle);
    void clearContent();
    void setShowColorScale(bool show);

    // Text shown for the source cell range under the mouse: rows [r0, r1), columns [c0, c1).
    using Describer = std::function<QString(std::int64_t r0, std::int64_t r1, std::int64_t c0,
                                            std::int64_t c1, double value)>;
    void setDescriber(Describer describer) { describer_ = std::move(describer); }
    // The tooltip text for a widget position (empty outside the map); used by tests too.
    QString describeAt(const QPoint& pos) const;
    // The source-matrix element (row, column) at a widget position; false outside the map.
    bool elementAt(const QPoint& pos, std::int64_t* row, std::int64_t* column) const;

    QCPColorMap* colorMap() const { return map_; }
    QCPColorScale* colorScale() const { return scale_; }
    const ReducedMatrix& content() const { return reduced_; }
    const QStringList& rowLabels() const { return rowBlocks_.labels; }
    const QStringList& columnLabels() const { return colBlocks_.labels; }

  Q_SIGNALS:
    // A click (press and release without dragging) on element (row, column) of the source
    // matrix: the exact element under the mouse, also when cells are block-reduced.
    void elementClicked(qint64 row, qint64 column);

  protected:
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;  // back to the whole matrix
    void changeEvent(QEvent* event) override;

  private:
    void drawBlocks(const AxisBlocks& blocks, bool rows, std::int64_t extent);
    void resetView();

    QCPColorMap* map_ = nullptr;
    QCPColorMap* infOverlay_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QCPMarginGroup* margins_ = nullptr;
    ReducedMatrix reduced_;
    AxisBlocks rowBlocks_, colBlocks_;
    Describer describer_;
    QPoint pressedAt_{-1, -1};
};

}  // namespace ws::ui
