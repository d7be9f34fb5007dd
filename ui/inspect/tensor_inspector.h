// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Everything about one tensor: a header line, the shared slice controls, and the heatmap,
// histogram/statistics and values tabs. Each view streams what it needs from the tensor's
// storage (large tensors on worker threads); dataShown() fires once the heatmap and the
// statistics of the selected tensor are shown.
#include <QWidget>
#include <memory>

#include "inspect/recurrent_gates.h"

class QLabel;
class QTabWidget;

namespace ws::ui {

class HeatmapView;
class HistogramView;
class SliceControls;
class ValuesView;

class TensorInspector : public QWidget {
    Q_OBJECT
  public:
    enum Tab { HeatmapTab, HistogramTab, ValuesTab };

    explicit TensorInspector(QWidget* parent = nullptr);

    void setTensor(std::shared_ptr<const Model> model, const Node* node);
    const Node* node() const { return node_; }
    TensorPtr tensor() const { return tensor_; }
    bool loading() const { return !(heatmapReady_ && statsReady_); }
    void showTab(Tab tab);

    SliceControls* sliceControls() const { return slice_; }
    HeatmapView* heatmap() const { return heatmap_; }
    HistogramView* histogram() const { return histogram_; }
    ValuesView* values() const { return values_; }

  Q_SIGNALS:
    void dataShown();

  private:
    void onViewReady();
    void onSliceChanged();

    std::shared_ptr<const Model> model_;
    const Node* node_ = nullptr;
    TensorPtr tensor_;
    GateLayout gates_;
    int generation_ = 0;
    bool heatmapReady_ = true, statsReady_ = true, announced_ = true;
    QString headerText_;

    QLabel* header_ = nullptr;
    SliceControls* slice_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    HeatmapView* heatmap_ = nullptr;
    HistogramView* histogram_ = nullptr;
    ValuesView* values_ = nullptr;
};

}  // namespace ws::ui
