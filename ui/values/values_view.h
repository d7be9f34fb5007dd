// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The values tab: the slice's numbers in a table; Ctrl+C copies the selection as TSV (rows of
// the selected rectangle, gaps left empty) for pasting into a spreadsheet. Cells are edited
// (double-click, type, Enter) through CellEditDelegate once the model has edit hooks.
#include <QTableView>

#include "values/cell_edit_delegate.h"
#include "values/values_table_model.h"

namespace ws::ui {

class ValuesView : public QTableView {
    Q_OBJECT
  public:
    explicit ValuesView(QWidget* parent = nullptr);

    ValuesTableModel* valuesModel() const { return model_; }
    CellEditDelegate* cellDelegate() const { return delegate_; }
    // The selection as tab-separated values, full precision (what Ctrl+C puts on the clipboard).
    QString selectionAsTsv() const;
    void copySelection() const;

    // Columns as wide as the widest value text of the slice's first page.
    void fitColumnsToValues();

  private:
    ValuesTableModel* model_ = nullptr;
    CellEditDelegate* delegate_ = nullptr;
};

}  // namespace ws::ui
