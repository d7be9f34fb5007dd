// SPDX-License-Identifier: GPL-3.0-or-later
// Undo and redo as a user gives them, by their keys (Ctrl+Z; Ctrl+Shift+Z and Ctrl+Y), and the
// tree's "edited" mark following every step: set by an edit, gone after undoing it, back after
// redoing it, gone after saving and back when undoing past the save.
#include <QFile>
#include <QFont>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>

#include "edit/model_editor.h"
#include "edit/values_edit_controller.h"
#include "tree/model_tree_model.h"
#include "ui_test_support.h"
#include "values/values_view.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

const QString kTensor = QStringLiteral("lstm.weight_hh_l1");  // (200, 50) f32

// What the user sees in the tree: the bold italic of an edited tensor.
bool markedInTree(ModelPage* page) {
    const QModelIndex source =
        page->treeModel()->indexOf(page->model()->find(kTensor.toStdString()));
    const QVariant font = source.data(Qt::FontRole);
    return font.isValid() && font.value<QFont>().bold() && font.value<QFont>().italic();
}

double shown(ModelPage* page, int r, int c) {
    return page->inspector()->values()->valuesModel()->value(r, c);
}

// A key press sent through the window's shortcut map, as from the keyboard.
void press(MainWindow& window, Qt::Key key, Qt::KeyboardModifiers modifiers) {
    QTest::keyClick(window.windowHandle(), key, modifiers);
    QTest::qWait(20);
}

}  // namespace

class UndoRedoKeysTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(scratch_.isValid());
        qputenv("WS_JOURNAL_DIR", scratch_.filePath(QStringLiteral("journal")).toLocal8Bit());
    }

    void keysUndoAndRedoAndTheTreeMarkFollows() {
        const QString file = scratch_.filePath(QStringLiteral("edited.pth"));
        QVERIFY(QFile::copy(seedExamplePath(), file));
        MainWindow window;
        window.resize(1400, 860);
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(selectTensorAndWait(page, kTensor));
        page->inspector()->showTab(TensorInspector::ValuesTab);
        QUndoStack* stack = page->editor()->undoStack();

        const double original = shown(page, 1, 1);
        ValuesView* values = page->inspector()->values();
        values->selectionModel()->select(values->valuesModel()->index(1, 1),
                                         QItemSelectionModel::ClearAndSelect);
        QCOMPARE(page->valuesEditing()->applyToSelection(Edit::Kind::Scale, Scalar::fromInt(2)),
                 QString());
        const double edited = shown(page, 1, 1);
        QVERIFY(edited != original);
        QVERIFY(markedInTree(page));

        press(window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(stack->index(), 0);
        QCOMPARE(shown(page, 1, 1), original);
        QVERIFY2(!markedInTree(page), "the mark stayed after undo");

        press(window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(stack->index(), 1);
        QCOMPARE(shown(page, 1, 1), edited);
        QVERIFY2(markedInTree(page), "no mark after redo");

        press(window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(stack->index(), 0);
        press(window, Qt::Key_Y, Qt::ControlModifier);
        QCOMPARE(stack->index(), 1);
        QCOMPARE(shown(page, 1, 1), edited);
        QVERIFY(markedInTree(page));

        // Saved, the edit is in the file: no mark. Undone past the save, it is unsaved again.
        QVERIFY(window.savePage(page));
        QVERIFY(!markedInTree(page));
        press(window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(stack->index(), 0);
        QVERIFY2(markedInTree(page), "undoing past the save left no mark");
        press(window, Qt::Key_Y, Qt::ControlModifier);
        QVERIFY2(!markedInTree(page), "redoing to the saved state kept the mark");
        QVERIFY(!page->isModified());
    }

  private:
    QTemporaryDir scratch_;
};

WS_QTEST_MAIN(UndoRedoKeysTest)

#include "test_undo_redo_keys.moc"
