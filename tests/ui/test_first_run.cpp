// SPDX-License-Identifier: GPL-3.0-or-later
// The window as a new user meets it: a start page instead of a blank area (recent files, the
// example model, the formats), Help with the shortcuts and the guide, a View menu and a
// toolbar, the edit history only where there is one, selection edits in the Edit menu, Save
// As on its usual keys with its target among the recent files, and the tree filter that
// Escape clears without losing the selection.
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolBar>
#include <QUndoStack>

#include "compare/compare_page.h"
#include "edit/model_editor.h"
#include "edit/values_edit_controller.h"
#include "export/export_dialog.h"
#include "tree/model_tree_model.h"
#include "ui_test_support.h"
#include "values/values_view.h"
#include "window/start_page.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

QAction* windowAction(MainWindow& window, const char* name) {
    return window.findChild<QAction*>(QLatin1String(name));
}

QMenu* menuNamed(MainWindow& window, const QString& title) {
    for (QAction* a : window.menuBar()->actions())
        if (a->menu() && QString(a->text()).remove(QLatin1Char('&')) == title) return a->menu();
    return nullptr;
}

QStringList actionTexts(const QList<QAction*>& actions) {
    QStringList out;
    for (const QAction* a : actions)
        if (!a->isSeparator()) out << QString(a->text()).remove(QLatin1Char('&'));
    return out;
}

// Edits one element of the page's current tensor (a scale of cell (0, 0)).
void editOneElement(ModelPage* page) {
    ValuesView* values = page->inspector()->values();
    values->selectionModel()->select(values->valuesModel()->index(0, 0),
                                     QItemSelectionModel::ClearAndSelect);
    QCOMPARE(page->valuesEditing()->applyToSelection(Edit::Kind::Scale, Scalar::fromInt(3)),
             QString());
}

}  // namespace

class FirstRunTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(scratch_.isValid());
        qputenv("WS_JOURNAL_DIR", scratch_.filePath(QStringLiteral("journal")).toLocal8Bit());
    }

    void startPageOpensTheExampleAndListsRecentFiles() {
        MainWindow window;
        window.setQuietErrors(true);
        window.resize(1200, 800);
        window.show();
        StartPage* start = window.startPage();
        QVERIFY(start->isVisible());                 // not a blank window
        QVERIFY(!start->recentList()->isVisible());  // nothing opened yet
        const QStringList shownText = [&] {
            QStringList t;
            for (QLabel* l : start->findChildren<QLabel*>()) t << l->text();
            return t;
        }();
        for (const char* format : {".keras", ".pth", "safetensors", "drop"})
            QVERIFY2(shownText.join(QLatin1Char(' ')).contains(QLatin1String(format)), format);

        QVERIFY(start->exampleButton()->isEnabled());
        QSignalSpy added(&window, &MainWindow::pageAdded);
        QTest::mouseClick(start->exampleButton(), Qt::LeftButton);
        QVERIFY(added.wait(30000));
        QVERIFY(!start->isVisible());  // the model's tab took its place
        QCOMPARE(QFileInfo(window.currentPage()->filePath()).canonicalFilePath(),
                 QFileInfo(seedExamplePath()).canonicalFilePath());

        // Closed again, the start page lists the file; activating it opens it.
        Q_EMIT window.findChild<QTabWidget*>()->tabCloseRequested(0);
        QTest::qWait(50);
        QVERIFY(start->isVisible());
        QCOMPARE(start->recentList()->count(), 1);
        QVERIFY(start->recentList()->isVisible());
        Q_EMIT start->recentList()->itemActivated(start->recentList()->item(0));
        QVERIFY(added.wait(30000));
    }

    void helpShowsShortcutsGuideAndFormats() {
        MainWindow window;
        window.show();
        QMenu* help = menuNamed(window, QStringLiteral("Help"));
        QVERIFY(help);
        QVERIFY(actionTexts(help->actions()).contains(QStringLiteral("Keyboard Shortcuts")));
        for (QAction* a : help->actions())
            if (QString(a->text()).remove(QLatin1Char('&')) == QStringLiteral("Keyboard Shortcuts"))
                a->trigger();
        auto* shortcuts = window.findChild<QDialog*>(QStringLiteral("shortcutsDialog"));
        QVERIFY(shortcuts);
        auto* table = shortcuts->findChild<QTableWidget*>();
        QStringList rows;
        for (int r = 0; r < table->rowCount(); ++r)
            rows << table->item(r, 0)->text() + QStringLiteral(" = ") + table->item(r, 1)->text();
        const QString all = rows.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QStringLiteral("Redo = Ctrl+Shift+Z, Ctrl+Y")), qPrintable(all));
        QVERIFY2(all.contains(QStringLiteral("Save As = Ctrl+Shift+S")), qPrintable(all));
        shortcuts->close();

        for (QAction* a : help->actions())
            if (QString(a->text()).remove(QLatin1Char('&')) == QStringLiteral("User Guide"))
                a->trigger();
        auto* guide = window.findChild<QDialog*>(QStringLiteral("userGuideDialog"));
        QVERIFY(guide);
        // The guide ships inside the program (a resource), so an installed app has it.
        QVERIFY(guide->findChild<QTextBrowser*>()->toPlainText().contains(
            QStringLiteral("Open a model")));
        guide->close();
    }

    void historyDockOnlyWhereThereIsHistory() {
        const QString file = scratch_.filePath(QStringLiteral("history.pth"));
        QVERIFY(QFile::copy(seedExamplePath(), file));
        MainWindow window;
        window.resize(1400, 860);
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        QVERIFY(selectTensorAndWait(page, QStringLiteral("lstm.weight_hh_l0")));
        page->inspector()->showTab(TensorInspector::ValuesTab);
        QDockWidget* dock = window.historyDock();
        QVERIFY(!dock->isVisible());
        editOneElement(page);
        QVERIFY(dock->isVisible());
        // Beside the dock, the tree still shows every column.
        QTreeView* tree = page->tree();
        const int lastColumnEnd =
            tree->header()->sectionViewportPosition(ModelTreeModel::SizeColumn) +
            tree->header()->sectionSize(ModelTreeModel::SizeColumn);
        QVERIFY2(lastColumnEnd <= tree->viewport()->width(),
                 qPrintable(QStringLiteral("Size column ends at %1 of %2")
                                .arg(lastColumnEnd)
                                .arg(tree->viewport()->width())));

        // A compare tab has no history: the dock goes, and comes back with the model's tab.
        ModelPage* other = openAndWait(window, seedExamplePath());
        QVERIFY(other);
        QVERIFY(!dock->isVisible());  // a fresh model has no edits
        ComparePage* compare = window.compareWith(page, other);
        QVERIFY(compare);
        QVERIFY(!dock->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!compare->busy(), 30000);  // it holds edits off while reading
        window.findChild<QTabWidget*>()->setCurrentWidget(page);
        QVERIFY(dock->isVisible());

        // View > Edit History hides and shows it.
        QMenu* view = menuNamed(window, QStringLiteral("View"));
        QVERIFY(view);
        QAction* toggle = windowAction(window, "actionShowHistory");
        QVERIFY(view->actions().contains(toggle));
        toggle->trigger();
        QVERIFY(!dock->isVisible());
        editOneElement(page);  // closed by the user, it stays closed
        QVERIFY(!dock->isVisible());
        toggle->trigger();
        QVERIFY(dock->isVisible());
    }

    void toolbarAndEditMenuOfferTheCommonActions() {
        MainWindow window;
        window.resize(1400, 860);
        ModelPage* page = showAndOpen(window, seedExamplePath());
        QVERIFY(page);
        auto* bar = window.findChild<QToolBar*>(QStringLiteral("mainToolBar"));
        QVERIFY(bar && bar->isVisible());
        QCOMPARE(actionTexts(bar->actions()),
                 QStringList({QStringLiteral("Open..."), QStringLiteral("Save"),
                              QStringLiteral("Undo"), QStringLiteral("Redo"),
                              QStringLiteral("Compare with..."), QStringLiteral("Export as...")}));
        const QStringList edit = actionTexts(menuNamed(window, QStringLiteral("Edit"))->actions());
        for (QAction* a : page->valuesEditing()->actions())
            if (!a->isSeparator())
                QVERIFY2(edit.contains(QString(a->text()).remove(QLatin1Char('&'))),
                         qPrintable(a->text() + QStringLiteral(" not in ") +
                                    edit.join(QStringLiteral(", "))));
    }

    void saveAsHasItsKeysAndJoinsTheRecentFiles() {
        const QString file = scratch_.filePath(QStringLiteral("saveas.pth"));
        QVERIFY(QFile::copy(seedExamplePath(), file));
        MainWindow window;
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        QCOMPARE(windowAction(window, "actionSaveAs")->shortcut(),
                 QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
        const QString target = scratch_.filePath(QStringLiteral("saved-as.pth"));
        QVERIFY(window.savePageAs(page, target));
        QCOMPARE(window.recentFiles().first(), QFileInfo(target).absoluteFilePath());
        // Export suggests a name after the file as it is now, not as it was opened.
        ExportDialog* dialog = window.showExportDialog();
        QVERIFY(dialog);
        QVERIFY2(
            QFileInfo(dialog->fileEdit()->text()).fileName().startsWith(QStringLiteral("saved-as")),
            qPrintable(dialog->fileEdit()->text()));
        dialog->close();
    }

    void escapeClearsTheFilterAndTheSelectionStays() {
        MainWindow window;
        ModelPage* page = showAndOpen(window, seedExamplePath());
        QVERIFY(page);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(page->selectPath(QStringLiteral("lstm.weight_hh_l0")));
        QLineEdit* filter = page->filterBox();
        filter->setFocus();
        QTest::keyClicks(filter, QStringLiteral("weight"));
        auto current = [page] {
            return page->tree()->currentIndex().data(ModelTreeModel::PathRole).toString();
        };
        QCOMPARE(current(), QStringLiteral("lstm.weight_hh_l0"));
        QTest::keyClick(filter, Qt::Key_Escape);
        QCOMPARE(filter->text(), QString());
        QCOMPARE(current(), QStringLiteral("lstm.weight_hh_l0"));
    }

  private:
    QTemporaryDir scratch_;
};

WS_QTEST_MAIN(FirstRunTest)

#include "test_first_run.moc"
