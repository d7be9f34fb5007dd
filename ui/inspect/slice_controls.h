// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Picks which two axes of an N-D tensor are shown (rows, columns) and the index of every other
// axis. Shared by the heatmap and the values table so both always show the same slice.
#include <QWidget>
#include <vector>

#include "stats/tensor_slice.h"

class QComboBox;
class QHBoxLayout;
class QSpinBox;

namespace ws::ui {

class SliceControls : public QWidget {
    Q_OBJECT
  public:
    explicit SliceControls(QWidget* parent = nullptr);

    // Resets to defaultSlice(shape); hidden for tensors of rank < 3 where there is no choice.
    void setShape(const std::vector<std::int64_t>& shape);
    const SliceSpec& spec() const { return spec_; }
    // Used by tests and the screenshot mode; emits sliceChanged when it changes anything.
    void setSpec(const SliceSpec& spec);

  Q_SIGNALS:
    void sliceChanged();

  private:
    void rebuild();
    void onAxisPicked();

    std::vector<std::int64_t> shape_;
    SliceSpec spec_;
    QComboBox* rowAxis_ = nullptr;
    QComboBox* colAxis_ = nullptr;
    QHBoxLayout* indexRow_ = nullptr;
    std::vector<QSpinBox*> indexBoxes_;  // one per axis; null for the shown axes
};

}  // namespace ws::ui
