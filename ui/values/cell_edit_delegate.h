// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Edits a table cell as text. Enter commits only text the validator accepts; otherwise the
// editor stays open and a tooltip under it says why (not a number, integer tensor, out of
// range for the dtype, ...). The editor starts with the element's exact text.
#include <QStyledItemDelegate>
#include <functional>

namespace ws::ui {

class CellEditDelegate : public QStyledItemDelegate {
    Q_OBJECT
  public:
    // Returns "" when `text` may be written into the cell, else the reason.
    using Validator = std::function<QString(const QModelIndex& index, const QString& text)>;

    explicit CellEditDelegate(QObject* parent = nullptr);
    void setValidator(Validator validator) { validator_ = std::move(validator); }
    // The reason last shown (tests read it; tooltips are hard to observe).
    QString lastRefusal() const { return lastRefusal_; }
    // Shows a refusal under a widget, as Enter does.
    void showRefusal(QWidget* where, const QString& reason);

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model,
                      const QModelIndex& index) const override;

  protected:
    bool eventFilter(QObject* object, QEvent* event) override;

  private:
    Validator validator_;
    QString lastRefusal_;
};

}  // namespace ws::ui
