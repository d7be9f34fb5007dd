// SPDX-License-Identifier: GPL-3.0-or-later
#include "values/cell_edit_delegate.h"

#include <QAbstractItemView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QToolTip>

#include "values/values_table_model.h"

namespace ws::ui {

CellEditDelegate::CellEditDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

QWidget* CellEditDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem&,
                                        const QModelIndex& index) const {
    auto* edit = new QLineEdit(parent);
    edit->setFrame(false);
    edit->setProperty("cellRow", index.row());
    edit->setProperty("cellColumn", index.column());
    return edit;
}

void CellEditDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
    if (auto* edit = qobject_cast<QLineEdit*>(editor)) {
        edit->setText(index.data(ValuesTableModel::ExactTextRole).toString());
        edit->selectAll();
    }
}

void CellEditDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                    const QModelIndex& index) const {
    if (auto* edit = qobject_cast<QLineEdit*>(editor))
        model->setData(index, edit->text(), Qt::EditRole);
}

void CellEditDelegate::showRefusal(QWidget* where, const QString& reason) {
    lastRefusal_ = reason;
    QToolTip::showText(where->mapToGlobal(QPoint(0, where->height())), reason, where);
}

bool CellEditDelegate::eventFilter(QObject* object, QEvent* event) {
    auto* edit = qobject_cast<QLineEdit*>(object);
    if (edit && validator_ && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            const QAbstractItemModel* m = nullptr;
            if (auto* view = qobject_cast<QAbstractItemView*>(edit->parentWidget()->parentWidget()))
                m = view->model();
            const QModelIndex index = m ? m->index(edit->property("cellRow").toInt(),
                                                   edit->property("cellColumn").toInt())
                                        : QModelIndex();
            const QString why = validator_(index, edit->text());
            if (!why.isEmpty()) {
                showRefusal(edit, why);
                return true;  // the editor stays open with the text, nothing is written
            }
            lastRefusal_.clear();
        }
    }
    return QStyledItemDelegate::eventFilter(object, event);
}

}  // namespace ws::ui
