#pragma once
// The values tab: the slice's numbers in a table; Ctrl+C copies the selection as TSV (rows of
// the selected rectangle, gaps left empty) for pasting into a spreadsheet.
#include <QTableView>

#include "values/values_table_model.h"

namespace ws::ui {

class ValuesView : public QTableView {
    Q_OBJECT
  public:
    explicit ValuesView(QWidget* parent = nullptr);

    ValuesTableModel* valuesModel() const { return model_; }
    // The selection as tab-separated values, full precision (what Ctrl+C puts on the clipboard).
    QString selectionAsTsv() const;
    void copySelection() const;

  private:
    ValuesTableModel* model_ = nullptr;
};

}  // namespace ws::ui
