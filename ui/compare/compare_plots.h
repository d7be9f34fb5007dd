#pragma once
// One tensor pair of a comparison, drawn: A, B and A-B as heatmaps side by side, and the value
// histograms of A and B overlaid on common bins.
//
// Colour scales: A and B share one symmetric scale, +-max(|A|, |B|), so equal colours mean equal
// values. A-B has its own symmetric scale, +-max|A-B|: differences are usually orders of
// magnitude smaller than the weights and would be invisible on the A/B scale (when A = B it
// shows on the A/B scale, all neutral). The matrices are the tensors' elements with the leading
// axes as rows and the last axis as columns, block-averaged beyond kMaxCells per axis.
#include <QWidget>

#include "model/tensor.h"

class QCustomPlot;
class QLabel;

namespace ws::ui {

class HeatmapPlot;

class ComparePlots : public QWidget {
    Q_OBJECT
  public:
    static constexpr std::int64_t kMaxCells = 200;
    static constexpr int kBins = 60;

    explicit ComparePlots(QWidget* parent = nullptr);

    // Both tensors in the common layout with equal shapes; null or unequal shapes clear the plots
    // and say why in `why`.
    void setTensors(TensorPtr a, TensorPtr b, const QString& title);
    void clear(const QString& why = QString());

    HeatmapPlot* heatmapA() const { return maps_[0]; }
    HeatmapPlot* heatmapB() const { return maps_[1]; }
    HeatmapPlot* heatmapDiff() const { return maps_[2]; }
    QCustomPlot* histogram() const { return histogram_; }
    double sharedHalfRange() const { return shared_; }
    double diffHalfRange() const { return diff_; }

  private:
    void drawHistograms(const Tensor& a, const Tensor& b);

    HeatmapPlot* maps_[3] = {nullptr, nullptr, nullptr};
    QLabel* captions_[3] = {nullptr, nullptr, nullptr};
    QLabel* title_ = nullptr;
    QCustomPlot* histogram_ = nullptr;
    double shared_ = 0, diff_ = 0;
};

}  // namespace ws::ui
