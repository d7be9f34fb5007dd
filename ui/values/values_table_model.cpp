#include "values/values_table_model.h"

#include <limits>

namespace ws::ui {

void ValuesTableModel::setSlice(TensorDataPtr data, const SliceSpec& spec) {
    beginResetModel();
    data_ = std::move(data);
    rows_ = cols_ = base_ = rowStep_ = colStep_ = 0;
    if (data_ && data_->error.isEmpty() && !data_->values.empty()) {
        const auto& shape = data_->shape;
        std::vector<std::int64_t> strides(shape.size(), 1);
        for (std::size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
        bool ok = spec.rowAxis < int(shape.size()) && spec.colAxis < int(shape.size()) &&
                  (spec.rowAxis < 0 || spec.rowAxis != spec.colAxis);
        for (std::size_t a = 0; ok && a < shape.size(); ++a) {
            if (int(a) == spec.rowAxis || int(a) == spec.colAxis) continue;
            const std::int64_t idx = a < spec.fixed.size() ? spec.fixed[a] : 0;
            ok = idx >= 0 && idx < shape[a];
            base_ += idx * strides[a];
        }
        if (ok) {
            rows_ = spec.rowAxis >= 0 ? shape[std::size_t(spec.rowAxis)] : 1;
            cols_ = spec.colAxis >= 0 ? shape[std::size_t(spec.colAxis)] : 1;
            rowStep_ = spec.rowAxis >= 0 ? strides[std::size_t(spec.rowAxis)] : 0;
            colStep_ = spec.colAxis >= 0 ? strides[std::size_t(spec.colAxis)] : 0;
        }
    }
    // QAbstractItemModel counts rows in int.
    const std::int64_t intMax = std::numeric_limits<int>::max();
    rows_ = std::min(rows_, intMax);
    cols_ = std::min(cols_, intMax);
    endResetModel();
}

int ValuesTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(rows_);
}

int ValuesTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(cols_);
}

double ValuesTableModel::value(int row, int column) const {
    return data_->values[std::size_t(base_ + row * rowStep_ + column * colStep_)];
}

QVariant ValuesTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_ || index.column() >= cols_) return {};
    if (role == Qt::DisplayRole) return QString::number(value(index.row(), index.column()), 'g', 7);
    if (role == Qt::EditRole) return value(index.row(), index.column());
    if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ValuesTableModel::headerData(int section, Qt::Orientation, int role) const {
    if (role == Qt::DisplayRole) return section;  // 0-based, like the tensor's own indices
    return {};
}

}  // namespace ws::ui
