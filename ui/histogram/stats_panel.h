// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Min, max, mean, std, L2 norm, zeros, NaN and Inf of a tensor, as selectable text.
#include <QMap>
#include <QWidget>

#include "stats/tensor_stats.h"

class QLabel;

namespace ws::ui {

class StatsPanel : public QWidget {
    Q_OBJECT
  public:
    explicit StatsPanel(QWidget* parent = nullptr);

    void setStatistics(const TensorStats& stats);
    void clear();
    const TensorStats& statistics() const { return stats_; }
    // The text shown for one row ("min", "max", "mean", "std", "L2", "zeros", "NaN", "Inf").
    QString valueText(const QString& name) const;

  private:
    TensorStats stats_;
    QMap<QString, QLabel*> labels_;
};

}  // namespace ws::ui
