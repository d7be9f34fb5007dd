// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One open model: the filterable, sortable tree on the left and, on the right, the tensor
// inspector, the layer overview or a value's text depending on what is selected. The model is
// editable: ModelEditor holds its edit session, undo stack and crash journal.
#include <QWidget>
#include <memory>

#include "edit/edit_session.h"
#include "model/model.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QStackedWidget;
class QTreeView;

namespace ws::ui {

class LayerOverview;
class ModelEditor;
class ModelTreeModel;
class TensorInspector;
class ValuesEditController;

class ModelPage : public QWidget {
    Q_OBJECT
  public:
    explicit ModelPage(std::shared_ptr<Model> model, QWidget* parent = nullptr);

    // The model as it is now, edits included (readers: compare, export, ...).
    const std::shared_ptr<const Model>& model() const { return model_; }
    // The mutable side: edits, undo/redo, saving.
    ModelEditor* editor() const { return editor_; }
    EditSession& editSession();
    ValuesEditController* valuesEditing() const { return valuesEditing_; }
    bool isModified() const;
    // Where Save writes: the opened file, or the last "Save As" destination.
    QString filePath() const;
    // Selects a node by its path (expanding the tree to it); false when there is none.
    bool selectPath(const QString& path);
    // "12 tensors · 1,234 parameters · 4.8 KiB · PyTorch zip" for the status bar.
    QString summary() const;

    QTreeView* tree() const { return tree_; }
    QLineEdit* filterBox() const { return filter_; }
    QSortFilterProxyModel* proxy() const { return proxy_; }
    ModelTreeModel* treeModel() const { return treeModel_; }
    TensorInspector* inspector() const { return inspector_; }
    LayerOverview* layerOverview() const { return layer_; }

  Q_SIGNALS:
    void modifiedChanged(bool modified);

  private:
    void onCurrentChanged(const QModelIndex& current);

    std::shared_ptr<const Model> model_;
    ModelEditor* editor_ = nullptr;
    ValuesEditController* valuesEditing_ = nullptr;
    ModelTreeModel* treeModel_ = nullptr;
    QSortFilterProxyModel* proxy_ = nullptr;
    QLineEdit* filter_ = nullptr;
    QTreeView* tree_ = nullptr;
    QLabel* warnings_ = nullptr;
    QStackedWidget* right_ = nullptr;
    QLabel* placeholder_ = nullptr;
    TensorInspector* inspector_ = nullptr;
    LayerOverview* layer_ = nullptr;
    QPlainTextEdit* valueText_ = nullptr;
};

}  // namespace ws::ui
