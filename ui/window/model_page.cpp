// SPDX-License-Identifier: GPL-3.0-or-later
#include "window/model_page.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTreeView>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>

#include "edit/model_editor.h"
#include "edit/values_edit_controller.h"
#include "inspect/tensor_inspector.h"
#include "layer/layer_overview.h"
#include "text/gui_wording.h"
#include "tree/model_tree_model.h"

namespace ws::ui {

namespace {

constexpr int kLargeTreeNodes = 5000;

}  // namespace

ModelPage::ModelPage(std::shared_ptr<Model> model, QWidget* parent)
    : QWidget(parent), model_(model) {
    editor_ = new ModelEditor(std::move(model), QString::fromStdString(model_->filePath), this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    layout->addWidget(splitter);

    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(4, 4, 0, 4);
    filter_ = new QLineEdit(left);
    filter_->setPlaceholderText(tr("Filter by name (e.g. lstm, weight, bias)"));
    filter_->setClearButtonEnabled(true);
    leftLayout->addWidget(filter_);
    warnings_ = new QLabel(left);
    warnings_->setWordWrap(true);
    QStringList notes;
    for (const auto& w : model_->warnings)
        notes << inGuiWords(QString::fromStdString(w)).toHtmlEscaped();
    if (!model_->pickle.dangerousGlobals.empty()) {
        QStringList g;
        for (const auto& s : model_->pickle.dangerousGlobals) g << QString::fromStdString(s);
        notes << tr("<b>refused dangerous globals:</b> %1").arg(g.join(QStringLiteral(", ")));
    }
    if (!model_->pickle.placeholderClasses.empty())
        notes << tr("%n class(es) shown as inert placeholders", nullptr,
                    int(model_->pickle.placeholderClasses.size()));
    warnings_->setText(notes.join(QStringLiteral("<br>")));
    warnings_->setVisible(!notes.isEmpty());
    leftLayout->addWidget(warnings_);

    treeModel_ = new ModelTreeModel(model_, this);
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(treeModel_);
    proxy_->setRecursiveFilteringEnabled(true);  // keep the ancestors of every match
    proxy_->setAutoAcceptChildRows(true);        // and show what is inside a matching layer
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy_->setFilterKeyColumn(ModelTreeModel::NameColumn);
    proxy_->setSortRole(ModelTreeModel::SortRole);
    tree_ = new QTreeView(left);
    tree_->setModel(proxy_);
    // File order until the user clicks a header (section -1 means unsorted).
    tree_->header()->setSortIndicator(-1, Qt::AscendingOrder);
    tree_->setSortingEnabled(true);
    tree_->setUniformRowHeights(true);
    tree_->setAlternatingRowColors(true);
    tree_->header()->setSectionResizeMode(QHeaderView::Interactive);
    const int widths[] = {230, 90, 95, 45, 80, 70};
    int treeWidth = 0;
    for (int c = 0; c < ModelTreeModel::ColumnCount; ++c) {
        tree_->setColumnWidth(c, widths[c]);
        treeWidth += widths[c];
    }
    // Two levels show a typical model's layers and their tensors at once; for huge trees (LLM
    // checkpoints) expanding thousands of layers would stall the window, so only one.
    int nodes = 0;
    model_->forEachNode([&nodes](Node&) { ++nodes; });
    tree_->expandToDepth(nodes > kLargeTreeNodes ? 0 : 1);
    leftLayout->addWidget(tree_, 1);
    connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
        // The selected node stays selected (and in view) when it passes the new filter.
        const QModelIndex selected = proxy_->mapToSource(tree_->currentIndex());
        proxy_->setFilterFixedString(text);
        if (!text.isEmpty()) tree_->expandAll();
        const QModelIndex again = proxy_->mapFromSource(selected);
        if (again.isValid()) {
            tree_->setCurrentIndex(again);
            tree_->scrollTo(again);
        }
    });
    auto* clearFilter = new QAction(tr("Clear the filter"), filter_);
    clearFilter->setShortcut(Qt::Key_Escape);
    clearFilter->setShortcutContext(Qt::WidgetShortcut);
    connect(clearFilter, &QAction::triggered, filter_, &QLineEdit::clear);
    filter_->addAction(clearFilter);
    connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { onCurrentChanged(current); });

    right_ = new QStackedWidget(splitter);
    placeholder_ = new QLabel(tr("Select a tensor to see its values, or a layer to see all of "
                                 "its tensors."),
                              right_);
    placeholder_->setAlignment(Qt::AlignCenter);
    placeholder_->setWordWrap(true);
    inspector_ = new TensorInspector(right_);
    layer_ = new LayerOverview(right_);
    valueText_ = new QPlainTextEdit(right_);
    valueText_->setReadOnly(true);
    right_->addWidget(placeholder_);
    right_->addWidget(inspector_);
    right_->addWidget(layer_);
    right_->addWidget(valueText_);
    connect(layer_, &LayerOverview::tensorActivated, this, &ModelPage::selectPath);
    valuesEditing_ = new ValuesEditController(editor_, inspector_, this);
    // The marks follow the history's index, not only the edit notices: an undo or redo reports
    // its tensors while the stack still stands at the old index.
    auto markEdited = [this] { treeModel_->setEditedPaths(editor_->unsavedTensors()); };
    connect(editor_, &ModelEditor::tensorsChanged, this, markEdited);
    connect(editor_->undoStack(), &QUndoStack::indexChanged, this, markEdited);
    connect(editor_->undoStack(), &QUndoStack::cleanChanged, this, markEdited);
    connect(editor_, &ModelEditor::modifiedChanged, this, &ModelPage::modifiedChanged);
    connect(editor_, &ModelEditor::tensorsChanged, layer_, &LayerOverview::tensorsEdited);
    // The tree keeps its width (all of its columns) when the window narrows or a dock opens;
    // the views on the right give way.
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    // Wide enough for every column of the tree (with its scroll bar and frame), the rest right.
    const int leftWidth = treeWidth + tree_->verticalScrollBar()->sizeHint().width() +
                          2 * tree_->frameWidth() + leftLayout->contentsMargins().left() + 4;
    splitter->setSizes({leftWidth, std::max(1400 - leftWidth, 400)});
}

EditSession& ModelPage::editSession() { return editor_->session(); }
bool ModelPage::isModified() const { return editor_->isModified(); }
QString ModelPage::filePath() const { return editor_->filePath(); }

QString ModelPage::summary() const {
    const ModelTreeModel::Totals t = treeModel_->totals(model_->root.get());
    const QLocale loc;
    QString s = tr("%1 tensors · %2 parameters · %3")
                    .arg(loc.toString(qlonglong(t.tensors)))
                    .arg(loc.toString(qlonglong(t.parameters)))
                    .arg(humanBytes(t.bytes));
    if (t.unsupported) s += tr(" · %1 unsupported (see warnings)").arg(t.unsupported);
    const std::string kind =
        model_->formatDetail.empty() ? formatName(model_->format) : model_->formatDetail;
    if (!kind.empty()) s += QStringLiteral(" · ") + QString::fromStdString(kind);
    return s;
}

bool ModelPage::selectPath(const QString& path) {
    const Node* node = model_->find(path.toStdString());
    if (!node) return false;
    QModelIndex source = treeModel_->indexOf(node);
    QModelIndex index = proxy_->mapFromSource(source);
    if (!index.isValid() && !filter_->text().isEmpty()) {
        filter_->clear();  // the node is hidden by the filter: show it anyway
        index = proxy_->mapFromSource(source);
    }
    if (!index.isValid()) return false;
    for (QModelIndex p = index.parent(); p.isValid(); p = p.parent()) tree_->expand(p);
    tree_->setCurrentIndex(index);
    tree_->scrollTo(index);
    return true;
}

void ModelPage::onCurrentChanged(const QModelIndex& current) {
    const Node* node = treeModel_->nodeAt(proxy_->mapToSource(current));
    if (!current.isValid() || !node) {
        right_->setCurrentWidget(placeholder_);
        return;
    }
    switch (node->kind) {
        case NodeKind::Tensor:
            inspector_->setTensor(model_, node);
            right_->setCurrentWidget(inspector_);
            break;
        case NodeKind::Value:
            valueText_->setPlainText(QStringLiteral("%1 (%2)\n\n%3")
                                         .arg(QString::fromStdString(node->path))
                                         .arg(QString::fromStdString(node->valueType))
                                         .arg(QString::fromStdString(node->value)));
            right_->setCurrentWidget(valueText_);
            break;
        case NodeKind::Group:
        case NodeKind::Layer:
            layer_->setNode(model_, node);
            right_->setCurrentWidget(layer_);
            break;
    }
}

}  // namespace ws::ui
