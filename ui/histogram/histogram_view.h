// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The histogram tab: a bar chart of the value distribution (linear or log counts) beside the
// statistics panel. Both are streamed from the tensor's storage (core/stats/tensor_distribution.h),
// on a worker thread for large tensors.
#include <QWidget>

#include "inspect/latest_job.h"
#include "model/tensor.h"
#include "stats/tensor_stats.h"

class QCheckBox;
class QLabel;
class QCPBars;
class QCustomPlot;
class QSpinBox;

namespace ws::ui {

class StatsPanel;

class HistogramView : public QWidget {
    Q_OBJECT
  public:
    explicit HistogramView(QWidget* parent = nullptr);

    void setTensor(TensorPtr tensor);
    void clear();
    void setLogCounts(bool log);
    void setBinCount(int bins);

    const Histogram& histogram() const { return histogram_; }
    QCPBars* bars() const { return bars_; }
    QCustomPlot* plot() const { return plot_; }
    StatsPanel* statsPanel() const { return stats_; }
    bool busy() const { return job_.running(); }

  Q_SIGNALS:
    void ready();  // statistics and histogram of the current tensor are shown

  protected:
    void changeEvent(QEvent* event) override;

  private:
    struct Job {
        bool hasStats = false;
        TensorStats stats;
        Histogram histogram;
        QString error;
        bool cancelled = false;
    };
    void compute(bool withStats);  // stats (when asked) and the histogram for the current bins
    void apply(const Job& job);
    void draw();

    TensorPtr tensor_;
    bool haveStats_ = false;
    TensorStats statistics_;
    Histogram histogram_;
    LatestJob<Job> job_{this};
    QLabel* status_ = nullptr;
    QCustomPlot* plot_ = nullptr;
    QCPBars* bars_ = nullptr;
    QCheckBox* log_ = nullptr;
    QSpinBox* bins_ = nullptr;
    StatsPanel* stats_ = nullptr;
};

}  // namespace ws::ui
