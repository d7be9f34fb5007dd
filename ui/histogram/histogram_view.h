#pragma once
// The histogram tab: a bar chart of the value distribution (linear or log counts) beside the
// statistics panel.
#include <QWidget>

#include "inspect/tensor_data.h"
#include "stats/tensor_stats.h"

class QCheckBox;
class QCPBars;
class QCustomPlot;
class QSpinBox;

namespace ws::ui {

class StatsPanel;

class HistogramView : public QWidget {
    Q_OBJECT
  public:
    explicit HistogramView(QWidget* parent = nullptr);

    void setData(TensorDataPtr data);
    void clear();
    void setLogCounts(bool log);
    void setBinCount(int bins);

    const Histogram& histogram() const { return histogram_; }
    QCPBars* bars() const { return bars_; }
    QCustomPlot* plot() const { return plot_; }
    StatsPanel* statsPanel() const { return stats_; }

  protected:
    void changeEvent(QEvent* event) override;

  private:
    void refresh();

    TensorDataPtr data_;
    Histogram histogram_;
    QCustomPlot* plot_ = nullptr;
    QCPBars* bars_ = nullptr;
    QCheckBox* log_ = nullptr;
    QSpinBox* bins_ = nullptr;
    StatsPanel* stats_ = nullptr;
};

}  // namespace ws::ui
