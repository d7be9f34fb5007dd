// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A QAbstractItemModel over a ws::Model tree: one row per Node, columns for what a reader of
// weight files asks first (what is it, what shape, how big).
#include <QAbstractItemModel>
#include <QSet>
#include <memory>
#include <unordered_map>

#include "model/model.h"

namespace ws::ui {

class ModelTreeModel : public QAbstractItemModel {
    Q_OBJECT
  public:
    enum Column {
        NameColumn,
        KindColumn,
        ShapeColumn,
        DTypeColumn,
        ParamsColumn,
        SizeColumn,
        ColumnCount
    };
    enum Role {
        NodeRole = Qt::UserRole + 1,  // const ws::Node* as quintptr
        PathRole,                     // Node::path
        SortRole,                     // numbers for numeric columns, text otherwise
    };

    explicit ModelTreeModel(std::shared_ptr<const Model> model, QObject* parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const Node* nodeAt(const QModelIndex& index) const;
    QModelIndex indexOf(const Node* node, int column = 0) const;

    // Sums over every tensor below (and including) a node.
    struct Totals {
        std::int64_t tensors = 0;
        std::int64_t parameters = 0;
        std::uint64_t bytes = 0;
    };
    Totals totals(const Node* node) const;

    // Tensors with unsaved edits (by Node::path): shown in bold italic with an accent colour.
    void setEditedPaths(const QSet<QString>& paths);
    bool isEdited(const Node* node) const;

  private:
    void indexSubtree(const Node* node);
    QVariant display(const Node& node, int column) const;
    QVariant sortKey(const Node& node, int column) const;

    std::shared_ptr<const Model> model_;
    std::unordered_map<const Node*, int> rowOf_;
    std::unordered_map<const Node*, Totals> totals_;
    QSet<QString> edited_;
};

// "1.5 MiB" style sizes for people.
QString humanBytes(std::uint64_t bytes);

}  // namespace ws::ui
