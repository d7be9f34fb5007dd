// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/values_edit_controller.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QMessageBox>
#include <cmath>
#include <exception>

#include "edit/element_codec.h"
#include "edit/model_editor.h"
#include "edit/paste_source.h"
#include "heatmap/heatmap_view.h"
#include "histogram/histogram_view.h"
#include "inspect/slice_controls.h"
#include "inspect/tensor_inspector.h"
#include "stats/tensor_slice.h"
#include "values/values_view.h"

namespace ws::ui {

namespace {

bool regionContains(const Region& box, const std::vector<std::int64_t>& index) {
    if (box.start.size() != index.size()) return false;
    for (std::size_t d = 0; d < index.size(); ++d) {
        const std::int64_t off = index[d] - box.start[d];
        if (off < 0 || off % box.step[d] != 0 || off / box.step[d] >= box.count[d]) return false;
    }
    return true;
}

QString indexText(const std::vector<std::int64_t>& index) {
    QStringList parts;
    for (std::int64_t i : index) parts << QString::number(i);
    return parts.join(QStringLiteral(", "));
}

}  // namespace

QString refusalForCellText(const Tensor& tensor, const QString& text) {
    const std::string kind = dtypeIsFloat(tensor.dtype)    ? "float tensor"
                             : tensor.dtype == DType::Bool ? "bool tensor"
                                                           : "integer tensor";
    try {
        const Scalar v = parseScalar(text.trimmed().toStdString());
        const Scalar stored = roundToDtype(v, tensor.dtype, kind);
        if (std::isfinite(v.real) && std::isinf(stored.real))
            return QObject::tr("%1 is out of range for %2 (it would become infinity)")
                .arg(text.trimmed(), QString::fromLatin1(dtypeName(tensor.dtype)));
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

ValuesEditController::ValuesEditController(ModelEditor* editor, TensorInspector* inspector,
                                           QObject* parent)
    : QObject(parent), editor_(editor), inspector_(inspector) {
    ValuesView* table = view();
    table->valuesModel()->setEditHooks(
        [this](int r, int c, const QString& text) { return editCell(r, c, text); },
        [this](int r, int c) { return highlighted(r, c); });
    table->cellDelegate()->setValidator([this](const QModelIndex&, const QString& text) {
        const TensorPtr t = inspector_->tensor();
        return t ? refusalForCellText(*t, text) : tr("no tensor is shown");
    });

    auto add = [this, table](const QString& text, const QKeySequence& keys, auto slot) {
        auto* a = new QAction(text, table);
        if (!keys.isEmpty()) {
            a->setShortcut(keys);
            a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        connect(a, &QAction::triggered, this, slot);
        table->addAction(a);
        actions_ << a;
    };
    auto* separator = new QAction(table);
    separator->setSeparator(true);
    table->addAction(separator);
    add(tr("Set Selection To..."), QKeySequence(), [this] {
        askAndApply(Edit::Kind::Set, tr("Set"), tr("New value of the selected elements:"));
    });
    add(tr("Scale Selection..."), QKeySequence(), [this] {
        askAndApply(Edit::Kind::Scale, tr("Scale"), tr("Multiply the selected elements by:"));
    });
    add(tr("Add to Selection..."), QKeySequence(),
        [this] { askAndApply(Edit::Kind::Add, tr("Add"), tr("Add to the selected elements:")); });
    add(tr("Zero Selection"), QKeySequence(Qt::Key_Delete), [this] {
        const QString why = applyToSelection(Edit::Kind::Set, Scalar::fromInt(0));
        if (!why.isEmpty()) Q_EMIT refused(why);
    });
    add(tr("Paste TSV/CSV"), QKeySequence::Paste, [this] {
        const QString why = pasteAtCurrent(QApplication::clipboard()->text());
        if (!why.isEmpty()) {
            Q_EMIT refused(why);
            QMessageBox::warning(view(), tr("Cannot paste"), why);
        }
    });

    connect(editor_, &ModelEditor::tensorsChanged, this, &ValuesEditController::onTensorsChanged);
    connect(inspector_->heatmap(), &HeatmapView::elementClicked, this,
            [this](const QList<qint64>& index) {
                showElement(std::vector<std::int64_t>(index.begin(), index.end()));
            });
}

ValuesView* ValuesEditController::view() const { return inspector_->values(); }

std::vector<std::int64_t> ValuesEditController::cellIndex(int row, int column) const {
    const TensorPtr t = inspector_->tensor();
    return sliceElementIndex(inspector_->sliceControls()->spec(), t ? t->shape.size() : 0, row,
                             column);
}

RegionSpec ValuesEditController::rangeRegion(int top, int bottom, int left, int right) const {
    const SliceSpec& spec = inspector_->sliceControls()->spec();
    const TensorPtr t = inspector_->tensor();
    QStringList axes;
    for (std::size_t a = 0; t && a < t->shape.size(); ++a) {
        if (int(a) == spec.rowAxis)
            axes << QStringLiteral("%1:%2").arg(top).arg(bottom + 1);
        else if (int(a) == spec.colAxis)
            axes << QStringLiteral("%1:%2").arg(left).arg(right + 1);
        else
            axes << QString::number(a < spec.fixed.size() ? spec.fixed[a] : 0);
    }
    return axes.isEmpty() ? RegionSpec{}
                          : parseRegion(axes.join(QStringLiteral(", ")).toStdString());
}

const std::vector<Region>& ValuesEditController::shownEditedRegions() const {
    const Node* node = inspector_->node();
    const std::string path = node ? node->path : std::string();
    EditedRegionsCache& c = editedRegions_;
    if (c.path != path || c.revision != editor_->historyRevision()) {
        c.path = path;
        c.revision = editor_->historyRevision();
        c.regions = node ? editor_->unsavedRegions(path) : std::vector<Region>();
    }
    return c.regions;
}

bool ValuesEditController::highlighted(int row, int column) const {
    if (!editor_->isModified()) return false;
    const std::vector<Region>& boxes = shownEditedRegions();
    if (boxes.empty()) return false;
    const std::vector<std::int64_t> index = cellIndex(row, column);
    for (const Region& box : boxes)
        if (regionContains(box, index)) return true;
    return false;
}

QString ValuesEditController::editCell(int row, int column, const QString& text) {
    const Node* node = inspector_->node();
    const TensorPtr t = inspector_->tensor();
    if (!node || !t) return tr("no tensor is shown");
    if (const QString why = refusalForCellText(*t, text); !why.isEmpty()) return why;
    const std::vector<std::int64_t> index = cellIndex(row, column);
    try {
        const RegionSpec where =
            index.empty() ? RegionSpec{} : parseRegion(indexText(index).toStdString());
        return editor_->apply(
            {Edit::set(node->path, where, parseScalar(text.trimmed().toStdString()))});
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

QString ValuesEditController::applyToSelection(Edit::Kind kind, const Scalar& value) {
    const Node* node = inspector_->node();
    if (!node || !inspector_->tensor()) return tr("no tensor is shown");
    const QItemSelection selection = view()->selectionModel()->selection();
    if (selection.isEmpty()) return tr("select the elements to change first");
    std::vector<Edit> edits;
    for (const QItemSelectionRange& r : selection) {
        const RegionSpec region = rangeRegion(r.top(), r.bottom(), r.left(), r.right());
        if (kind == Edit::Kind::Scale)
            edits.push_back(Edit::scale(node->path, region, value));
        else if (kind == Edit::Kind::Add)
            edits.push_back(Edit::add(node->path, region, value));
        else
            edits.push_back(Edit::set(node->path, region, value));
    }
    QString label;
    if (edits.size() > 1)
        label = tr("%1 %2 ranges of %3 (%4)")
                    .arg(QString::fromLatin1(editKindName(kind)))
                    .arg(edits.size())
                    .arg(QString::fromStdString(node->path))
                    .arg(QString::fromStdString(scalarText(value)));
    return editor_->apply(edits, label);
}

QString ValuesEditController::pasteAtCurrent(const QString& text) {
    const Node* node = inspector_->node();
    const TensorPtr t = inspector_->tensor();
    if (!node || !t) return tr("no tensor is shown");
    QModelIndex anchor = view()->currentIndex();
    const QModelIndexList selected = view()->selectionModel()->selectedIndexes();
    for (const QModelIndex& i : selected)  // the top-left of the selection, when there is one
        if (!anchor.isValid() || i.row() < anchor.row() ||
            (i.row() == anchor.row() && i.column() < anchor.column()))
            anchor = i;
    if (!anchor.isValid()) return tr("select the cell where the pasted block starts");
    // The core pastes a block into the last two axes; the table must be showing those.
    const SliceSpec& spec = inspector_->sliceControls()->spec();
    const int rank = int(t->shape.size());
    const bool lastAxes = rank >= 2 ? spec.rowAxis == rank - 2 && spec.colAxis == rank - 1
                                    : rank == 0 || spec.colAxis == 0;
    if (!lastAxes)
        return tr("paste fills the last two axes: show axis %1 as rows and axis %2 as columns")
            .arg(rank - 2)
            .arg(rank - 1);
    try {
        const PasteBlock block = parsePasteText(text.toStdString());
        const std::vector<std::int64_t> index = cellIndex(anchor.row(), anchor.column());
        const RegionSpec at =
            index.empty() ? RegionSpec{} : parseRegion(indexText(index).toStdString());
        return editor_->apply({Edit::paste(node->path, at, block)});
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

void ValuesEditController::askAndApply(Edit::Kind kind, const QString& title,
                                       const QString& prompt) {
    bool ok = false;
    const QString text =
        QInputDialog::getText(view(), title, prompt, QLineEdit::Normal, QString(), &ok);
    if (!ok) return;
    QString why;
    try {
        why = applyToSelection(kind, parseScalar(text.trimmed().toStdString()));
    } catch (const std::exception& e) {
        why = QString::fromStdString(e.what());
    }
    if (!why.isEmpty()) {
        Q_EMIT refused(why);
        QMessageBox::warning(view(), tr("%1 refused").arg(title), why);
    }
}

void ValuesEditController::showElement(const std::vector<std::int64_t>& index) {
    const TensorPtr t = inspector_->tensor();
    if (!t || index.size() != t->shape.size()) return;
    SliceSpec spec = inspector_->sliceControls()->spec();
    bool sameSlice = true;
    for (std::size_t a = 0; a < index.size(); ++a)
        if (int(a) != spec.rowAxis && int(a) != spec.colAxis &&
            (a >= spec.fixed.size() ? 0 : spec.fixed[a]) != index[a])
            sameSlice = false;
    if (!sameSlice) {
        spec.fixed = index;
        inspector_->sliceControls()->setSpec(spec);  // the table follows (sliceChanged)
    }
    const int row = spec.rowAxis >= 0 ? int(index[std::size_t(spec.rowAxis)]) : 0;
    const int column = spec.colAxis >= 0 ? int(index[std::size_t(spec.colAxis)]) : 0;
    inspector_->showTab(TensorInspector::ValuesTab);
    const QModelIndex cell = view()->valuesModel()->index(row, column);
    view()->setCurrentIndex(cell);
    view()->scrollTo(cell, QAbstractItemView::PositionAtCenter);
}

void ValuesEditController::onTensorsChanged(const QSet<QString>& paths) {
    const Node* node = inspector_->node();
    const bool shown = node && paths.contains(QString::fromStdString(node->path));
    if (shown) {
        inspector_->heatmap()->reload();
        inspector_->histogram()->setTensor(inspector_->tensor());
    }
    // Also for other tensors: the unsaved highlight changes after a save.
    view()->valuesModel()->reload();
}

}  // namespace ws::ui
