// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One tensor pair of a comparison, drawn: A, B and A-B as heatmaps side by side, and the value
// histograms of A and B overlaid on common bins.
//
// Colour scales: A and B share one symmetric scale, +-max(|A|, |B|), so equal colours mean equal
// values. A-B has its own symmetric scale, +-max|A-B|: differences are usually orders of
// magnitude smaller than the weights and would be invisible on the A/B scale (when A = B it
// shows on the A/B scale, all neutral). The matrices are the tensors' elements with the leading
// axes as rows and the last axis as columns, block-averaged beyond kMaxCells per axis.
//
// Reading a big pair (the difference, three block reductions, two histograms) takes seconds:
// beyond kInlineElements it runs on a worker (inspect/latest_job.h) with a busy indicator, the
// latest selection only; small pairs are drawn at once so that browsing does not flicker.
//
// Beside the histogram, the element pairs that differ most (largest first, with their indices);
// they are ringed in the A - B map, so one changed weight among thousands is seen at any size,
// and picking one shows its A and B values side by side.
#include <QWidget>

#include "compare/top_differences.h"
#include "inspect/latest_job.h"
#include "model/tensor.h"
#include "stats/heatmap_preparation.h"
#include "stats/tensor_stats.h"

class QCustomPlot;
class QLabel;
class QProgressBar;
class QTableWidget;
class QCPItemTracer;

namespace ws::ui {

class HeatmapPlot;

class ComparePlots : public QWidget {
    Q_OBJECT
  public:
    static constexpr std::int64_t kMaxCells = 200;
    static constexpr int kBins = 60;
    static constexpr std::size_t kTopDifferences = 20;    // listed
    static constexpr std::size_t kRingedDifferences = 5;  // ringed in the A - B map

    explicit ComparePlots(QWidget* parent = nullptr);

    // Both tensors in the common layout with equal shapes; null or unequal shapes clear the plots
    // and say why in `why`. A big pair is drawn when its worker finishes (tensorsShown()).
    void setTensors(TensorPtr a, TensorPtr b, const QString& title);
    void clear(const QString& why = QString());
    bool busy() const { return job_.running(); }
    QProgressBar* busyIndicator() const { return busy_; }

    HeatmapPlot* heatmapA() const { return maps_[0]; }
    HeatmapPlot* heatmapB() const { return maps_[1]; }
    HeatmapPlot* heatmapDiff() const { return maps_[2]; }
    QCustomPlot* histogram() const { return histogram_; }
    // The largest differences of the pair shown, largest first, and their list.
    const std::vector<compare::ElementDifference>& differences() const { return differences_; }
    QTableWidget* differencesTable() const { return differencesTable_; }
    // Shows difference i's A and B values (pickedText()) and rings it in all three maps.
    void pickDifference(int i);
    QLabel* pickedText() const { return picked_; }
    double sharedHalfRange() const { return shared_; }
    double diffHalfRange() const { return diff_; }

  Q_SIGNALS:
    // The plots show the pair last given to setTensors() (or why they cannot).
    void tensorsShown();

  private:
    // Everything read from the tensors, ready to draw: computed on the worker for big pairs.
    struct Prepared {
        PreparedHeatmap maps[3];  // A, B, A-B
        Histogram histograms[2];  // A, B on common bins
        std::vector<compare::ElementDifference> differences;
        DType dtypeA = DType::F32, dtypeB = DType::F32;
        std::vector<std::int64_t> shape;
        QString title, error;
        bool cancelled = false;
    };
    static Prepared prepare(const Tensor& a, const Tensor& b, const std::atomic<bool>* cancel);
    void show(const Prepared& p);
    void drawHistograms(const Histogram& a, const Histogram& b);
    void showDifferences(const Prepared& p);
    // A ring of a fixed size in pixels around element (row, column) of the map's source matrix.
    static QCPItemTracer* ring(HeatmapPlot* map, std::int64_t row, std::int64_t column,
                               const QColor& colour, int pixels);

    HeatmapPlot* maps_[3] = {nullptr, nullptr, nullptr};
    QLabel* captions_[3] = {nullptr, nullptr, nullptr};
    QLabel* title_ = nullptr;
    QCustomPlot* histogram_ = nullptr;
    QProgressBar* busy_ = nullptr;
    QTableWidget* differencesTable_ = nullptr;
    QLabel* picked_ = nullptr;
    std::vector<compare::ElementDifference> differences_;
    std::vector<std::int64_t> shape_;
    DType dtypeA_ = DType::F32, dtypeB_ = DType::F32;
    QList<QCPItemTracer*> pickedRings_;  // owned by the maps; cleared with their content
    double shared_ = 0, diff_ = 0;
    LatestJob<Prepared> job_{this};
};

}  // namespace ws::ui
