#pragma once
// The heatmap tab: options (colour range, block reduction, kernel tiles) above a HeatmapPlot,
// and a line saying what exactly is shown. Turns tensor values + slice into the matrix to draw.
#include <QWidget>

#include "inspect/recurrent_gates.h"
#include "inspect/tensor_data.h"
#include "stats/heatmap_reduction.h"

class QCheckBox;
class QComboBox;
class QLabel;

namespace ws::ui {

class HeatmapPlot;

class HeatmapView : public QWidget {
    Q_OBJECT
  public:
    explicit HeatmapView(QWidget* parent = nullptr);

    // isKeras selects the channels-last kernel layout for the tile grid.
    void setData(TensorDataPtr data, const GateLayout& gates, bool isKeras);
    void setSlice(const SliceSpec& spec);
    void clear();

    // Options, also driven by tests and the screenshot mode.
    void setClipToPercentile(bool clip);
    void setReduction(BlockReduction mode);
    void setTiles(bool tiles);
    bool tilesAvailable() const;
    bool showingTiles() const;
    void setMaxDisplayCells(std::int64_t rowsAndCols);

    HeatmapPlot* plot() const { return plot_; }
    double halfRange() const { return halfRange_; }
    QString summary() const;  // the line under the plot

  Q_SIGNALS:
    void tilesShown(bool tiles);  // the slice controls do not apply to the tile grid

  private:
    void refresh();
    QString describeSlice(std::int64_t r0, std::int64_t r1, std::int64_t c0, std::int64_t c1,
                          double value) const;
    QString describeTile(std::int64_t r, std::int64_t c, double value) const;
    QString gateOf(std::int64_t indexAlongGateAxis) const;

    TensorDataPtr data_;
    GateLayout gates_;
    bool isKeras_ = false;
    SliceSpec spec_;
    KernelLayout kernel_;
    bool tiles_ = false;
    std::int64_t maxCells_ = 512;
    double halfRange_ = 0;  // over the whole tensor, not the slice: slices stay comparable
    Matrix2D shown_;        // the full-resolution matrix before reduction

    HeatmapPlot* plot_ = nullptr;
    QCheckBox* clip_ = nullptr;
    QComboBox* reduction_ = nullptr;
    QCheckBox* tilesBox_ = nullptr;
    QLabel* info_ = nullptr;
};

}  // namespace ws::ui
