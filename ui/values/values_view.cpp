// SPDX-License-Identifier: GPL-3.0-or-later
#include "values/values_view.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QStringList>
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
    // Uniform sizes: the view never measures millions of cells.
    horizontalHeader()->setDefaultSectionSize(90);
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    auto* copy = new QAction(tr("Copy as TSV"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &ValuesView::copySelection);
    addAction(copy);
    setContextMenuPolicy(Qt::ActionsContextMenu);
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
