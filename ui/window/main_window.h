// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The application window: opens model files (menu, command line, drag and drop, recent files),
// one tab per open model, progress while loading and a status line with the model's totals.
#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QStringList>
#include <memory>

#include "model/model.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;
class QTabWidget;
class QUndoGroup;

namespace ws::ui {

class AboutDialog;
class ComparePage;
class ExportDialog;
class ModelLoader;
class ModelPage;
class StartPage;
class TransferDialog;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Opens in the background; errors are reported in a dialog unless quietErrors (tests,
    // screenshots), where they only go to errorOccurred().
    void openFile(const QString& path);
    void setQuietErrors(bool quiet) { quietErrors_ = quiet; }

    ModelPage* currentPage() const;
    ModelPage* pageAt(int i) const;
    int pageCount() const;
    ModelLoader* loader() const { return loader_; }
    QStringList recentFiles() const;

    // Editing: Save (to the page's file) and Save As; false when it failed or was cancelled.
    bool savePage(ModelPage* page);
    bool savePageAs(ModelPage* page, const QString& path = {});  // asks when path is empty
    QUndoGroup* undoGroup() const { return undoGroup_; }
    QDockWidget* historyDock() const { return historyDock_; }
    // At start: offers to restore the unsaved edits of a Weightsmith that did not exit.
    void offerJournalRestore();

    // File > Export as... / Transfer weights into... on the current page's model (null without
    // one). The dialog is shown non-modally and deletes itself when closed.
    ExportDialog* showExportDialog();
    TransferDialog* showTransferDialog();

    // File > Compare with...: asks for another open model or a file to compare the current one
    // with. compareWith() opens the compare view of two open pages as a new tab (A = a, B = b);
    // it compares the pages' models as they are now, edits included.
    void chooseCompareTarget();
    ComparePage* compareWith(ModelPage* a, ModelPage* b);

    // Help > About: version, licence, formats, library versions and licences (non-modal,
    // deletes itself when closed).
    AboutDialog* showAboutDialog();
    // What the window shows while no model is open.
    StartPage* startPage() const { return startPage_; }

  Q_SIGNALS:
    void pageAdded(ws::ui::ModelPage* page);
    // openFile() of a file that is already open: its tab was made current instead.
    void pageFocused(ws::ui::ModelPage* page);
    void errorOccurred(const QString& message);
    void compareOpened(ws::ui::ComparePage* page);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildMenus();
    void chooseFiles();
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void updateStatus();
    // The history dock: shown on a model tab with edits, unless the user closed it.
    void updateHistoryDock();
    // Edit menu: the current page's selection edits.
    void updateSelectionActions();
    // File dialogs open where the user last opened or saved a file (home at first).
    QString lastFolder() const;
    void rememberFolderOf(const QString& file);
    void onLoaded(const QString& path, std::shared_ptr<Model> model);
    // Save / Discard / Cancel for a page with unsaved edits; true when it may close.
    bool mayClosePage(ModelPage* page);
    void updateTabTitle(ModelPage* page);
    // The open tab of `path`, if any.
    ModelPage* pageForFile(const QString& path) const;
    // A journal of a file open in `page`: replayed into it when it is clean and unedited;
    // else, after asking when it has unsaved edits, the tab closes and true is returned (open
    // the file again with the journal); false when done or declined.
    bool restoreIntoOpenPage(ModelPage* page, const QString& path, const QString& journal);
    void dropFailedRestore(ModelPage* page, const QString& path, const QString& journal,
                           const QString& why);

    ModelLoader* loader_ = nullptr;
    QStackedWidget* central_ = nullptr;
    StartPage* startPage_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QLabel* statusText_ = nullptr;
    QProgressBar* busy_ = nullptr;
    bool quietErrors_ = false;
    QUndoGroup* undoGroup_ = nullptr;
    QAction* undo_ = nullptr;  // disabled with redo_ while a long read holds the model
    QAction* redo_ = nullptr;
    QDockWidget* historyDock_ = nullptr;
    bool historyWanted_ = true;  // false once the user closed the history
    QMenu* editMenu_ = nullptr;
    QAction* selectionEnd_ = nullptr;
    QList<QPointer<QAction>> shownSelectionActions_;  // a closed page's actions go with it
    QHash<QString, QString> pendingRestores_;         // opened file -> journal to replay into it
};

}  // namespace ws::ui
