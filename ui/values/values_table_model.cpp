// SPDX-License-Identifier: GPL-3.0-or-later
#include "values/values_table_model.h"

#include <QColor>
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "edit/element_codec.h"

namespace ws::ui {

namespace {

// Beyond 2^53 a double no longer holds every integer.
constexpr double kExactIntegerLimit = 9007199254740992.0;

}  // namespace

void ValuesTableModel::setSlice(TensorPtr tensor, const SliceSpec& spec) {
    beginResetModel();
    pages_.clear();
    reader_.reset();
    grid_ = {};
    tensor_ = std::move(tensor);
    rows_ = cols_ = 0;
    if (tensor_) {
        try {
            grid_ = sliceGrid(*tensor_, spec);
            reader_ = std::make_unique<GridReader>(*tensor_, grid_);
            rows_ = grid_.rows();
            cols_ = grid_.cols();
        } catch (const std::exception&) {  // a spec that does not fit, a damaged tensor
            reader_.reset();
        }
    }
    // QAbstractItemModel counts rows in int.
    const std::int64_t intMax = std::numeric_limits<int>::max();
    rows_ = std::min(rows_, intMax);
    cols_ = std::min(cols_, intMax);
    endResetModel();
}

void ValuesTableModel::reload() {
    pages_.clear();
    reader_.reset();
    if (tensor_ && rows_ > 0) {
        try {
            reader_ = std::make_unique<GridReader>(*tensor_, grid_);
        } catch (const std::exception&) {
            reader_.reset();
        }
    }
    if (rows_ > 0 && cols_ > 0)
        Q_EMIT dataChanged(index(0, 0), index(int(rows_) - 1, int(cols_) - 1));
}

void ValuesTableModel::setEditHooks(Committer commit, Highlighter highlight) {
    commit_ = std::move(commit);
    highlight_ = std::move(highlight);
}

Qt::ItemFlags ValuesTableModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (commit_ && reader_ && index.isValid()) f |= Qt::ItemIsEditable;
    return f;
}

QString ValuesTableModel::exactText(int row, int column) const {
    // From the element's own bytes, not the double the table shows: an int64 beyond 2^53 would
    // open rounded, and Enter would then write the rounded value.
    if (!tensor_ || !reader_) return {};
    try {
        return QString::fromStdString(
            storedElementText(*tensor_, grid_.base + grid_.rowOffsets[std::size_t(row)] +
                                            grid_.colOffsets[std::size_t(column)]));
    } catch (const std::exception&) {
        return {};
    }
}

QString ValuesTableModel::shortestText(int row, int column) const {
    if (!tensor_) return {};
    // The cached double holds every f16/bf16/f32/f64 and every integer up to 2^53 exactly, so
    // the text is made from it without touching the storage again; only a wider int64 needs
    // the element's own bytes.
    const double v = value(row, column);
    if (tensor_->dtype == DType::I64 && std::abs(v) > kExactIntegerLimit)
        return exactText(row, column);
    return QString::fromStdString(elementText(Scalar::fromReal(v), tensor_->dtype));
}

bool ValuesTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !commit_ || !index.isValid()) return false;
    // Enter on an editor left as it opened changes nothing: no edit, no undo step.
    const QString unchanged = exactText(index.row(), index.column());
    if (!unchanged.isEmpty() && value.toString() == unchanged) return true;
    const QString why = commit_(index.row(), index.column(), value.toString());
    if (!why.isEmpty()) {
        Q_EMIT editRefused(index, why);
        return false;
    }
    return true;  // the editor's change notification reloads the table
}

int ValuesTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(rows_);
}

int ValuesTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(cols_);
}

const ValuesTableModel::Page* ValuesTableModel::page(int pageRow, int pageCol) const {
    const qint64 key = (qint64(pageRow) << 32) | qint64(pageCol);
    if (const Page* p = pages_.object(key)) return p;
    auto p = std::make_unique<Page>(std::size_t(kPage * kPage),
                                    std::numeric_limits<double>::quiet_NaN());
    const std::int64_t r0 = std::int64_t(pageRow) * kPage, c0 = std::int64_t(pageCol) * kPage;
    const std::int64_t r1 = std::min(rows_, r0 + kPage), c1 = std::min(cols_, c0 + kPage);
    try {
        for (std::int64_t r = r0; r < r1; ++r)
            reader_->readRow(r, c0, c1, p->data() + (r - r0) * kPage);
    } catch (const std::exception&) {
        // Unreadable bytes stay NaN; the heatmap and statistics say why.
    }
    const Page* raw = p.get();
    pages_.insert(key, p.release());
    return raw;
}

double ValuesTableModel::value(int row, int column) const {
    if (!reader_ || row < 0 || column < 0 || row >= rows_ || column >= cols_)
        return std::numeric_limits<double>::quiet_NaN();
    const Page* p = page(row / kPage, column / kPage);
    return (*p)[std::size_t((row % kPage) * kPage + column % kPage)];
}

QVariant ValuesTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_ || index.column() >= cols_) return {};
    if (role == Qt::DisplayRole) return shortestText(index.row(), index.column());
    if (role == Qt::EditRole) return value(index.row(), index.column());
    if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == ExactTextRole) return exactText(index.row(), index.column());
    const bool marks =
        role == Qt::BackgroundRole || role == Qt::ForegroundRole || role == Qt::ToolTipRole;
    if (highlight_ && marks && highlight_(index.row(), index.column())) {
        if (role == Qt::ToolTipRole) return tr("edited, not saved yet");
        // Amber with black text: readable in light and dark palettes alike.
        return role == Qt::BackgroundRole ? QColor(255, 214, 120) : QColor(Qt::black);
    }
    return {};
}

QVariant ValuesTableModel::headerData(int section, Qt::Orientation, int role) const {
    if (role == Qt::DisplayRole) return section;  // 0-based, like the tensor's own indices
    return {};
}

}  // namespace ws::ui
