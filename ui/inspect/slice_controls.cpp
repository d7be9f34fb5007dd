// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspect/slice_controls.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>

namespace ws::ui {

SliceControls::SliceControls(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Rows:"), this));
    rowAxis_ = new QComboBox(this);
    rowAxis_->setObjectName(QStringLiteral("rowAxis"));
    layout->addWidget(rowAxis_);
    layout->addWidget(new QLabel(tr("Columns:"), this));
    colAxis_ = new QComboBox(this);
    colAxis_->setObjectName(QStringLiteral("columnAxis"));
    layout->addWidget(colAxis_);
    indexRow_ = new QHBoxLayout;
    layout->addLayout(indexRow_);
    layout->addStretch(1);
    connect(rowAxis_, qOverload<int>(&QComboBox::activated), this, &SliceControls::onAxisPicked);
    connect(colAxis_, qOverload<int>(&QComboBox::activated), this, &SliceControls::onAxisPicked);
    setVisible(false);
}

void SliceControls::setShape(const std::vector<std::int64_t>& shape) {
    shape_ = shape;
    spec_ = defaultSlice(shape);
    rebuild();
    setVisible(shape.size() >= 3);
}

void SliceControls::setSpec(const SliceSpec& spec) {
    spec_ = spec;
    spec_.fixed.resize(shape_.size(), 0);
    rebuild();
    Q_EMIT sliceChanged();
}

void SliceControls::onAxisPicked() {
    int r = rowAxis_->currentIndex(), c = colAxis_->currentIndex();
    if (r == c) {
        // Picking the other combo's axis swaps them, which is what one means by it.
        if (sender() == rowAxis_)
            c = spec_.rowAxis;
        else
            r = spec_.colAxis;
    }
    spec_.rowAxis = r;
    spec_.colAxis = c;
    rebuild();
    Q_EMIT sliceChanged();
}

void SliceControls::rebuild() {
    const QSignalBlocker b1(rowAxis_), b2(colAxis_);
    rowAxis_->clear();
    colAxis_->clear();
    for (std::size_t a = 0; a < shape_.size(); ++a) {
        const QString text = tr("axis %1 (%2)").arg(a).arg(shape_[a]);
        rowAxis_->addItem(text);
        colAxis_->addItem(text);
    }
    rowAxis_->setCurrentIndex(spec_.rowAxis);
    colAxis_->setCurrentIndex(spec_.colAxis);

    indexBoxes_.assign(shape_.size(), nullptr);
    while (QLayoutItem* item = indexRow_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (std::size_t a = 0; a < shape_.size(); ++a) {
        if (int(a) == spec_.rowAxis || int(a) == spec_.colAxis) continue;
        indexRow_->addWidget(new QLabel(tr("axis %1 =").arg(a), this));
        auto* box = new QSpinBox(this);
        box->setObjectName(QStringLiteral("index%1").arg(a));
        box->setRange(0, int(std::max<std::int64_t>(shape_[a] - 1, 0)));
        box->setValue(int(spec_.fixed[a]));
        connect(box, qOverload<int>(&QSpinBox::valueChanged), this, [this, a](int v) {
            spec_.fixed[a] = v;
            Q_EMIT sliceChanged();
        });
        indexRow_->addWidget(box);
        indexBoxes_[a] = box;
    }
}

}  // namespace ws::ui
