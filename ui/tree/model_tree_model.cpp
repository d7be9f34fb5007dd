// SPDX-License-Identifier: GPL-3.0-or-later
#include "tree/model_tree_model.h"

#include <QColor>
#include <QFont>
#include <QLocale>

namespace ws::ui {

QString humanBytes(std::uint64_t bytes) {
    return QLocale::c().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeIecFormat);
}

ModelTreeModel::ModelTreeModel(std::shared_ptr<const Model> model, QObject* parent)
    : QAbstractItemModel(parent), model_(std::move(model)) {
    if (model_ && model_->root) indexSubtree(model_->root.get());
}

// Rows and totals are computed once: parent() and the size columns are then O(1), which keeps
// scrolling smooth in trees with tens of thousands of nodes.
void ModelTreeModel::indexSubtree(const Node* node) {
    Totals t;
    if (node->kind == NodeKind::Tensor && node->tensor) {
        t.tensors = 1;
        t.parameters = node->tensor->numel();
        t.bytes = node->tensor->nbytes();
    }
    for (std::size_t i = 0; i < node->children.size(); ++i) {
        const Node* child = node->children[i].get();
        rowOf_[child] = int(i);
        indexSubtree(child);
        const Totals& c = totals_[child];
        t.tensors += c.tensors;
        t.parameters += c.parameters;
        t.bytes += c.bytes;
    }
    totals_[node] = t;
}

ModelTreeModel::Totals ModelTreeModel::totals(const Node* node) const {
    auto it = totals_.find(node);
    return it == totals_.end() ? Totals{} : it->second;
}

void ModelTreeModel::setEditedPaths(const QSet<QString>& paths) {
    const QSet<QString> changed = (edited_ - paths) + (paths - edited_);
    edited_ = paths;
    for (const QString& path : changed) {
        const Node* node = model_ ? model_->find(path.toStdString()) : nullptr;
        if (node && node->parent)
            Q_EMIT dataChanged(indexOf(node, 0), indexOf(node, ColumnCount - 1));
    }
}

bool ModelTreeModel::isEdited(const Node* node) const {
    return node && !edited_.isEmpty() && edited_.contains(QString::fromStdString(node->path));
}

const Node* ModelTreeModel::nodeAt(const QModelIndex& index) const {
    if (!index.isValid()) return model_ && model_->root ? model_->root.get() : nullptr;
    return static_cast<const Node*>(index.internalPointer());
}

QModelIndex ModelTreeModel::indexOf(const Node* node, int column) const {
    if (!node || !node->parent) return {};
    auto it = rowOf_.find(node);
    if (it == rowOf_.end()) return {};
    return createIndex(it->second, column, const_cast<Node*>(node));
}

QModelIndex ModelTreeModel::index(int row, int column, const QModelIndex& parent) const {
    const Node* p = nodeAt(parent);
    if (!p || row < 0 || column < 0 || column >= ColumnCount || row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[std::size_t(row)].get());
}

QModelIndex ModelTreeModel::parent(const QModelIndex& child) const {
    const Node* n = nodeAt(child);
    if (!child.isValid() || !n || !n->parent) return {};
    return indexOf(n->parent);
}

int ModelTreeModel::rowCount(const QModelIndex& parent) const {
    if (parent.column() > 0) return 0;
    const Node* p = nodeAt(parent);
    return p ? int(p->children.size()) : 0;
}

int ModelTreeModel::columnCount(const QModelIndex&) const { return ColumnCount; }

QVariant ModelTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case NameColumn:
            return tr("Name");
        case KindColumn:
            return tr("Kind / class");
        case ShapeColumn:
            return tr("Shape / value");
        case DTypeColumn:
            return tr("DType");
        case ParamsColumn:
            return tr("Params");
        case SizeColumn:
            return tr("Size");
    }
    return {};
}

QVariant ModelTreeModel::display(const Node& node, int column) const {
    const bool isTensor = node.kind == NodeKind::Tensor && node.tensor;
    switch (column) {
        case NameColumn:
            return QString::fromStdString(node.name);
        case KindColumn:
            if (node.kind == NodeKind::Value && !node.valueType.empty())
                return QStringLiteral("value (%1)").arg(QString::fromStdString(node.valueType));
            return node.className.empty() ? QString::fromLatin1(nodeKindName(node.kind))
                                          : QString::fromStdString(node.className);
        case ShapeColumn:
            if (isTensor) return QString::fromStdString(shapeToString(node.tensor->shape));
            if (node.kind == NodeKind::Value) {
                // Long JSON values would make the column unusable; the full text is the tooltip.
                QString v = QString::fromStdString(node.value);
                return v.size() > 120 ? v.left(117) + QStringLiteral("...") : v;
            }
            return {};
        case DTypeColumn:
            return isTensor ? QString::fromLatin1(dtypeName(node.tensor->dtype)) : QVariant();
        case ParamsColumn: {
            const Totals t = totals(&node);
            return t.tensors ? QLocale().toString(qlonglong(t.parameters)) : QVariant();
        }
        case SizeColumn: {
            const Totals t = totals(&node);
            return t.tensors ? humanBytes(t.bytes) : QVariant();
        }
    }
    return {};
}

QVariant ModelTreeModel::sortKey(const Node& node, int column) const {
    switch (column) {
        case ParamsColumn:
            return qlonglong(totals(&node).parameters);
        case SizeColumn:
            return qulonglong(totals(&node).bytes);
        case ShapeColumn:
            if (node.kind == NodeKind::Tensor && node.tensor)
                return qlonglong(node.tensor->numel());
            return display(node, column);
        default:
            return display(node, column);
    }
}

QVariant ModelTreeModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const Node& node = *nodeAt(index);
    switch (role) {
        case Qt::DisplayRole:
            return display(node, index.column());
        case Qt::ToolTipRole:
            if (node.kind == NodeKind::Value) return QString::fromStdString(node.value);
            if (isEdited(&node))
                return tr("%1 (edited, not saved)").arg(QString::fromStdString(node.path));
            return QString::fromStdString(node.path);
        case Qt::FontRole:
            if (isEdited(&node)) {
                QFont f;
                f.setBold(true);
                f.setItalic(true);
                return f;
            }
            return {};
        case Qt::ForegroundRole:
            if (isEdited(&node)) return QColor(0xd0, 0x60, 0x00);  // the accent of "edited"
            return {};
        case Qt::TextAlignmentRole:
            if (index.column() == ParamsColumn || index.column() == SizeColumn)
                return int(Qt::AlignRight | Qt::AlignVCenter);
            return {};
        case NodeRole:
            return QVariant::fromValue(quintptr(&node));
        case PathRole:
            return QString::fromStdString(node.path);
        case SortRole:
            return sortKey(node, index.column());
    }
    return {};
}

}  // namespace ws::ui
