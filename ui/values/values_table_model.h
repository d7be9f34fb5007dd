#pragma once
// The numbers of one 2-D slice of a tensor as a table. Lazy: a cell is read from the tensor's
// storage when the view asks for it, a 64 × 64 page at a time (the pages last asked for are
// kept), so a 16384 × 16384 slice costs only what is on screen.
#include <QAbstractTableModel>
#include <QCache>
#include <memory>
#include <vector>

#include "model/tensor.h"
#include "stats/element_grid.h"

namespace ws::ui {

class ValuesTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    using QAbstractTableModel::QAbstractTableModel;

    // An invalid spec (it does not fit the shape) or a null tensor shows an empty table.
    void setSlice(TensorPtr tensor, const SliceSpec& spec);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // NaN when the storage cannot deliver the value (a truncated file).
    double value(int row, int column) const;

  private:
    static constexpr int kPage = 64;
    using Page = std::vector<double>;
    const Page* page(int pageRow, int pageCol) const;

    TensorPtr tensor_;
    ElementGrid grid_;
    std::unique_ptr<GridReader> reader_;
    std::int64_t rows_ = 0, cols_ = 0;
    mutable QCache<qint64, Page> pages_{256};  // 256 pages of 4096 doubles: 8 MiB at most
};

}  // namespace ws::ui
