#pragma once
// Everything about one tensor: a header line, the shared slice controls, and the heatmap,
// histogram/statistics and values tabs. Values are read on a worker thread; dataShown() fires
// once every view holds them.
#include <QFutureWatcher>
#include <QWidget>
#include <memory>

#include "inspect/recurrent_gates.h"
#include "inspect/tensor_data.h"

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
    TensorDataPtr data() const { return data_; }
    bool loading() const { return watcher_->isRunning(); }
    void showTab(Tab tab);

    SliceControls* sliceControls() const { return slice_; }
    HeatmapView* heatmap() const { return heatmap_; }
    HistogramView* histogram() const { return histogram_; }
    ValuesView* values() const { return values_; }

  Q_SIGNALS:
    void dataShown();

  private:
    void onLoaded();
    void onSliceChanged();

    std::shared_ptr<const Model> model_;
    const Node* node_ = nullptr;
    TensorDataPtr data_;
    GateLayout gates_;
    QFutureWatcher<TensorDataPtr>* watcher_ = nullptr;
    int generation_ = 0;

    QLabel* header_ = nullptr;
    SliceControls* slice_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    HeatmapView* heatmap_ = nullptr;
    HistogramView* histogram_ = nullptr;
    ValuesView* values_ = nullptr;
};

}  // namespace ws::ui
