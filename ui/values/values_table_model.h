#pragma once
// The numbers of one 2-D slice of a tensor as a table. Lazy: cells are looked up in the tensor's
// values when the view asks for them, so a 4096 × 4096 slice costs no extra memory.
#include <QAbstractTableModel>

#include "inspect/tensor_data.h"
#include "stats/tensor_slice.h"

namespace ws::ui {

class ValuesTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    using QAbstractTableModel::QAbstractTableModel;

    // An invalid spec (it does not fit the shape) shows an empty table.
    void setSlice(TensorDataPtr data, const SliceSpec& spec);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    double value(int row, int column) const;

  private:
    TensorDataPtr data_;
    std::int64_t rows_ = 0, cols_ = 0;
    std::int64_t base_ = 0, rowStep_ = 0, colStep_ = 0;
};

}  // namespace ws::ui
