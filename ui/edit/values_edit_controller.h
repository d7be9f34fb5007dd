// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Editing from the tensor inspector: typing into a values cell, bulk operations on the table's
// selection (set, scale, add, zero, paste TSV/CSV from the clipboard), highlighting the cells
// edited since the last save, a heatmap click selecting its element in the table, and
// re-reading every view of a tensor after an edit, undo or redo. All writes go through
// ModelEditor (one undo step per user action).
#include <QObject>
#include <QSet>
#include <cstdint>
#include <string>
#include <vector>

#include "edit/edit_ops.h"

class QAction;

namespace ws::ui {

class ModelEditor;
class TensorInspector;
class ValuesView;

// Why `text` cannot be written into an element of `tensor` ("" when it can): the core's parser
// and dtype rules, plus overflow of a finite number to infinity in f16/bf16/f32.
QString refusalForCellText(const Tensor& tensor, const QString& text);

class ValuesEditController : public QObject {
    Q_OBJECT
  public:
    ValuesEditController(ModelEditor* editor, TensorInspector* inspector, QObject* parent);

    // The operations behind the context-menu actions, without their dialogs; each returns ""
    // or why nothing was changed.
    QString editCell(int row, int column, const QString& text);
    QString applyToSelection(Edit::Kind kind, const Scalar& value);  // Set, Scale, Add
    QString pasteAtCurrent(const QString& text);                     // TSV/CSV, top-left anchor

    // Shows element `index` (a full tensor index) in the values table: changes the slice when
    // needed, switches to the table and selects the cell.
    void showElement(const std::vector<std::int64_t>& index);

    QList<QAction*> actions() const { return actions_; }

  Q_SIGNALS:
    void refused(const QString& reason);  // a bulk operation failed (the status bar shows it)

  private:
    void onTensorsChanged(const QSet<QString>& paths);
    void askAndApply(Edit::Kind kind, const QString& title, const QString& prompt);
    std::vector<std::int64_t> cellIndex(int row, int column) const;
    RegionSpec rangeRegion(int top, int bottom, int left, int right) const;
    bool highlighted(int row, int column) const;
    // The shown tensor's regions edited since the last save. highlighted() runs for several
    // roles of every painted cell, so the regions are gathered from the undo stack once per
    // history state (tensor, stack size, index and clean index) instead of per cell.
    const std::vector<Region>& shownEditedRegions() const;
    ValuesView* view() const;

    struct EditedRegionsCache {
        std::string path;
        quint64 revision = quint64(-1);  // ModelEditor::historyRevision() it was made at
        std::vector<Region> regions;
    };

    ModelEditor* editor_;
    TensorInspector* inspector_;
    QList<QAction*> actions_;
    mutable EditedRegionsCache editedRegions_;
};

}  // namespace ws::ui
