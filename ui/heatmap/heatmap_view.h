// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The heatmap tab: options (colour range, block reduction, kernel tiles) above a HeatmapPlot,
// and a line saying what exactly is shown. Reads the displayed cells straight from the tensor's
// storage and reduces them in one streaming pass (core/stats/heatmap_preparation.h); large
// tensors are prepared on a worker thread while a busy bar shows, and a newer selection cancels
// an older preparation.
#include <QWidget>

#include "inspect/latest_job.h"
#include "inspect/recurrent_gates.h"
#include "stats/heatmap_preparation.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;

namespace ws::ui {

class HeatmapPlot;

// Where the heatmap may clip its colour range so that a few outliers do not wash out the rest.
constexpr double kClipPercentile = 99.0;

class HeatmapView : public QWidget {
    Q_OBJECT
  public:
    explicit HeatmapView(QWidget* parent = nullptr);

    // isKeras selects the channels-last kernel layout for the tile grid.
    void setTensor(TensorPtr tensor, const GateLayout& gates, bool isKeras);
    void setSlice(const SliceSpec& spec);
    void clear();
    // Reads the tensor again, colour range included (its values were edited).
    void reload();

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
    bool busy() const { return job_.running(); }
    const PreparedHeatmap& prepared() const { return prepared_; }

  Q_SIGNALS:
    void tilesShown(bool tiles);  // the slice controls do not apply to the tile grid
    void ready();                 // the plot shows the current tensor, slice and options
    // The user clicked an element: its full index in the tensor (one entry per axis).
    void elementClicked(const QList<qint64>& index);

  private:
    struct Job {
        PreparedHeatmap prepared;
        bool hasRange = false;
        ColourRange range;
        QString error;
        bool cancelled = false;
    };
    void refresh();  // reads the tensor again (new tensor, slice, tiles or display size)
    void apply(const Job& job);
    void redraw();  // from prepared_ (reduction mode, colour range)
    void showError(const QString& text);
    QString describeSlice(std::int64_t r0, std::int64_t r1, std::int64_t c0, std::int64_t c1,
                          double value) const;
    QString describeTile(std::int64_t r, std::int64_t c, double value) const;
    QString gateOf(std::int64_t indexAlongGateAxis) const;
    // Full tensor index of a source-matrix element of the tile grid.
    std::vector<std::int64_t> tileIndex(std::int64_t r, std::int64_t c) const;

    TensorPtr tensor_;
    GateLayout gates_;
    bool isKeras_ = false;
    SliceSpec spec_;
    KernelLayout kernel_;
    bool tiles_ = false;
    std::int64_t maxCells_ = 512;
    double halfRange_ = 0;  // over the whole tensor, not the slice: slices stay comparable
    ColourRange range_;     // of the whole tensor, read once per tensor
    bool rangeKnown_ = false;
    PreparedHeatmap prepared_;
    LatestJob<Job> job_{this};

    HeatmapPlot* plot_ = nullptr;
    QCheckBox* clip_ = nullptr;
    QComboBox* reduction_ = nullptr;
    QCheckBox* tilesBox_ = nullptr;
    QLabel* info_ = nullptr;
    QWidget* busyRow_ = nullptr;
    QLabel* busyText_ = nullptr;
};

}  // namespace ws::ui
