#pragma once
// What a layer holds at a glance: each of its tensors as a small heatmap, side by side, with the
// layer's attributes above. Clicking a tile opens that tensor.
#include <QFutureWatcher>
#include <QWidget>
#include <memory>
#include <vector>

#include "inspect/tensor_data.h"
#include "model/model.h"

class QGridLayout;
class QLabel;

namespace ws::ui {

class HeatmapPlot;

class LayerOverview : public QWidget {
    Q_OBJECT
  public:
    explicit LayerOverview(QWidget* parent = nullptr);

    // Shows up to kMaxTensors tensors found below node (depth first), reading them on a worker.
    void setNode(std::shared_ptr<const Model> model, const Node* node);
    int tensorCount() const { return int(tensors_.size()); }
    HeatmapPlot* plotAt(int i) const { return plots_.at(std::size_t(i)); }
    QString titleAt(int i) const;

    static constexpr int kMaxTensors = 12;

  Q_SIGNALS:
    void tensorActivated(const QString& path);
    void allShown();  // every small heatmap has its data

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void show(int i, TensorDataPtr data);

    std::shared_ptr<const Model> model_;
    std::vector<const Node*> tensors_;
    std::vector<HeatmapPlot*> plots_;
    std::vector<QLabel*> titles_;
    QLabel* header_ = nullptr;
    QWidget* grid_ = nullptr;
    QGridLayout* gridLayout_ = nullptr;
    QFutureWatcher<std::vector<TensorDataPtr>>* watcher_ = nullptr;
    int generation_ = 0;  // drops results of a previous setNode that finish late
};

}  // namespace ws::ui
