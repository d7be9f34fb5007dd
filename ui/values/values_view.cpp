// SPDX-License-Identifier: GPL-3.0-or-later
#include "values/values_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QStringList>
#include <QStyle>
#include <algorithm>
#include <limits>

namespace ws::ui {

ValuesView::ValuesView(QWidget* parent) : QTableView(parent) {
    model_ = new ValuesTableModel(this);
    setModel(model_);
    delegate_ = new CellEditDelegate(this);
    setItemDelegate(delegate_);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    // A refusal that reaches the model (the editor lost focus with bad text) is shown too.
    connect(model_, &ValuesTableModel::editRefused, this,
            [this](const QModelIndex& index, const QString& reason) {
                delegate_->showRefusal(viewport(), reason);
                scrollTo(index);
            });
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setWordWrap(false);  // a long number is elided, not broken over two lines
    // Uniform sizes: the view never measures millions of cells. Columns fit the widest text of
    // the first page of values (fitColumnsToValues); rows are one line of text high.
    horizontalHeader()->setDefaultSectionSize(90);
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setMinimumSectionSize(fontMetrics().height() + 2);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    connect(model_, &QAbstractItemModel::modelReset, this, &ValuesView::fitColumnsToValues);
    connect(model_, &QAbstractItemModel::dataChanged, this, &ValuesView::fitColumnsToValues);
    auto* copy = new QAction(tr("Copy as TSV"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &ValuesView::copySelection);
    addAction(copy);
    setContextMenuPolicy(Qt::ActionsContextMenu);
}

void ValuesView::fitColumnsToValues() {
    // A sample, not every cell: the top-left 64 x 64 block is what opens on screen, and a
    // tensor's texts are of much the same length (the dtype bounds them).
    constexpr int kSample = 64;
    const QFontMetrics metrics(font());
    int widest = metrics.horizontalAdvance(QStringLiteral("-0.000000"));
    const int rows = std::min(model_->rowCount(), kSample);
    const int cols = std::min(model_->columnCount(), kSample);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            widest = std::max(widest, metrics.horizontalAdvance(
                                          model_->index(r, c).data(Qt::DisplayRole).toString()));
    // The cell's margins on both sides, as the style draws them.
    const int margin = 2 * (style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, this) + 2);
    horizontalHeader()->setDefaultSectionSize(widest + margin);
}

QString ValuesView::selectionAsTsv() const {
    const QModelIndexList selected = selectionModel()->selectedIndexes();
    if (selected.isEmpty()) return {};
    int r0 = std::numeric_limits<int>::max(), c0 = r0, r1 = -1, c1 = -1;
    for (const QModelIndex& i : selected) {
        r0 = std::min(r0, i.row());
        r1 = std::max(r1, i.row());
        c0 = std::min(c0, i.column());
        c1 = std::max(c1, i.column());
    }
    QStringList lines;
    for (int r = r0; r <= r1; ++r) {
        QStringList cells;
        for (int c = c0; c <= c1; ++c)
            cells << (selectionModel()->isSelected(model_->index(r, c))
                          ? QString::number(model_->value(r, c), 'g', 17)
                          : QString());
        lines << cells.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void ValuesView::copySelection() const {
    const QString tsv = selectionAsTsv();
    if (!tsv.isEmpty()) QApplication::clipboard()->setText(tsv);
}

}  // namespace ws::ui
