// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The numbers of one 2-D slice of a tensor as a table. Lazy: a cell is read from the tensor's
// storage when the view asks for it, a 64 × 64 page at a time (the pages last asked for are
// kept), so a 16384 × 16384 slice costs only what is on screen.
//
// Editing goes through hooks set by the editing layer (ui/edit): the table itself never writes
// a byte, it asks the committer and says why when that refuses.
#include <QAbstractTableModel>
#include <QCache>
#include <functional>
#include <memory>
#include <vector>

#include "model/tensor.h"
#include "stats/element_grid.h"

namespace ws::ui {

class ValuesTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    using QAbstractTableModel::QAbstractTableModel;

    enum Role {
        ExactTextRole = Qt::UserRole + 1,  // the shortest text that reads back as the element
    };

    // An invalid spec (it does not fit the shape) or a null tensor shows an empty table.
    void setSlice(TensorPtr tensor, const SliceSpec& spec);
    // Reads the tensor again (after an edit; its storage may have been replaced by a copy).
    void reload();

    // Writes `text` into cell (row, column); returns "" or why it was refused.
    using Committer = std::function<QString(int row, int column, const QString& text)>;
    // True for cells to highlight (edited, not saved yet).
    using Highlighter = std::function<bool(int row, int column)>;
    void setEditHooks(Committer commit, Highlighter highlight);

    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // NaN when the storage cannot deliver the value (a truncated file).
    double value(int row, int column) const;

  Q_SIGNALS:
    void editRefused(const QModelIndex& index, const QString& reason);

  private:
    static constexpr int kPage = 64;
    using Page = std::vector<double>;
    const Page* page(int pageRow, int pageCol) const;
    QString exactText(int row, int column) const;  // ExactTextRole; "" when unreadable
    // DisplayRole: the shortest text that reads back as the stored element (numpy's repr
    // rule), e.g. -0.0010796 and 3.930295e-05 in full instead of rounded to 7 digits.
    QString shortestText(int row, int column) const;

    TensorPtr tensor_;
    ElementGrid grid_;
    std::unique_ptr<GridReader> reader_;
    std::int64_t rows_ = 0, cols_ = 0;
    Committer commit_;
    Highlighter highlight_;
    mutable QCache<qint64, Page> pages_{256};  // 256 pages of 4096 doubles: 8 MiB at most
};

}  // namespace ws::ui
