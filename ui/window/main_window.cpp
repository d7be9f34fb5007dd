// SPDX-License-Identifier: GPL-3.0-or-later
#include "window/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QUndoGroup>
#include <QUndoStack>
#include <QUndoView>

#include "compare/compare_page.h"
#include "edit/journal_restore.h"
#include "edit/model_editor.h"
#include "edit/values_edit_controller.h"
#include "export/export_dialog.h"
#include "text/gui_wording.h"
#include "transfer/transfer_dialog.h"
#include "window/about_dialog.h"
#include "window/help_dialogs.h"
#include "window/model_loader.h"
#include "window/model_page.h"
#include "window/start_page.h"

namespace ws::ui {

namespace {

const char* const kRecentKey = "recentFiles";
const char* const kLastFolderKey = "lastFolder";
constexpr int kMaxRecent = 10;

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    qRegisterMetaType<ModelPage*>();  // pageAdded() is observed through QSignalSpy in tests
    setWindowTitle(tr("Weightsmith"));
    setWindowIcon(QIcon(QStringLiteral(":/weightsmith/icons/weightsmith.png")));
    setAcceptDrops(true);
    resize(1400, 860);

    // The start page while no model is open, the tabs once one is.
    central_ = new QStackedWidget(this);
    startPage_ = new StartPage(central_);
    connect(startPage_, &StartPage::openRequested, this, &MainWindow::openFile);
    connect(startPage_, &StartPage::browseRequested, this, &MainWindow::chooseFiles);
    tabs_ = new QTabWidget(central_);
    tabs_->setTabsClosable(true);
    tabs_->setMovable(true);
    tabs_->setDocumentMode(true);
    central_->addWidget(startPage_);
    central_->addWidget(tabs_);
    setCentralWidget(central_);
    connect(tabs_, &QTabWidget::tabCloseRequested, this, [this](int i) {
        QWidget* page = tabs_->widget(i);
        if (!mayClosePage(qobject_cast<ModelPage*>(page))) return;
        tabs_->removeTab(i);
        page->deleteLater();
        updateStatus();
    });
    connect(tabs_, &QTabWidget::currentChanged, this, &MainWindow::updateStatus);
    undoGroup_ = new QUndoGroup(this);
    connect(tabs_, &QTabWidget::currentChanged, this, [this] {
        // A compare tab has no history: Undo must not reach the edits of a hidden tab.
        ModelPage* page = currentPage();
        undoGroup_->setActiveStack(page ? page->editor()->undoStack() : nullptr);
        updateStatus();  // again: the new stack re-enabled Undo/Redo
        updateHistoryDock();
        updateSelectionActions();
    });
    historyDock_ = new QDockWidget(tr("Edit History"), this);
    historyDock_->setObjectName(QStringLiteral("historyDock"));
    auto* history = new QUndoView(undoGroup_, historyDock_);
    history->setEmptyLabel(tr("<opened file>"));
    historyDock_->setWidget(history);
    // Below the page, not beside it: beside, it took the width the tree's columns need.
    addDockWidget(Qt::BottomDockWidgetArea, historyDock_);
    resizeDocks({historyDock_}, {150}, Qt::Vertical);  // a few steps; it scrolls
    // Shown only where there is a history to show: a model tab with edits. Closed by the user
    // (its close button or View > Edit History), it stays closed until asked for again.
    historyDock_->hide();
    historyDock_->installEventFilter(this);
    connect(undoGroup_, &QUndoGroup::indexChanged, this, &MainWindow::updateHistoryDock);
    connect(historyDock_->toggleViewAction(), &QAction::triggered, this, [this](bool on) {
        historyWanted_ = on;
        updateHistoryDock();
    });

    statusText_ = new QLabel(this);
    statusBar()->addWidget(statusText_, 1);
    busy_ = new QProgressBar(this);
    busy_->setRange(0, 0);  // indeterminate: readers do not report progress
    busy_->setMaximumWidth(160);
    busy_->setVisible(false);
    statusBar()->addPermanentWidget(busy_);

    loader_ = new ModelLoader(this);
    connect(loader_, &ModelLoader::started, this, [this](const QString& path) {
        busy_->setVisible(true);
        statusText_->setText(tr("Loading %1 ...").arg(QFileInfo(path).fileName()));
    });
    connect(loader_, &ModelLoader::loaded, this, &MainWindow::onLoaded);
    connect(loader_, &ModelLoader::failed, this,
            [this](const QString& path, const QString& coreMsg) {
                const QString msg = inGuiWords(coreMsg);
                Q_EMIT errorOccurred(msg);
                updateStatus();
                if (!quietErrors_)
                    QMessageBox::warning(this, tr("Cannot open %1").arg(QFileInfo(path).fileName()),
                                         tr("Weightsmith could not open\n%1\n\n%2").arg(path, msg));
            });
    connect(loader_, &ModelLoader::idle, this, [this] {
        busy_->setVisible(false);
        updateStatus();
    });
    buildMenus();
    updateStatus();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open..."), this, &MainWindow::chooseFiles);
    open->setShortcut(QKeySequence::Open);
    open->setObjectName(QStringLiteral("actionOpen"));
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    QAction* save = file->addAction(tr("&Save"), this, [this] {
        if (ModelPage* page = currentPage()) savePage(page);
    });
    save->setShortcut(QKeySequence::Save);
    save->setObjectName(QStringLiteral("actionSave"));
    QAction* saveAs = file->addAction(tr("Save &As..."), this, [this] {
        if (ModelPage* page = currentPage()) savePageAs(page);
    });
    // Spelled out: QKeySequence::SaveAs is empty on some platforms (the offscreen one, KDE-less
    // X11), which left Save As without keys.
    saveAs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    saveAs->setObjectName(QStringLiteral("actionSaveAs"));
    QAction* close = file->addAction(tr("&Close Model"), this, [this] {
        if (tabs_->count()) Q_EMIT tabs_->tabCloseRequested(tabs_->currentIndex());
    });
    close->setShortcut(QKeySequence::Close);
    file->addSeparator();
    QAction* exportAs = file->addAction(tr("&Export as..."), this, &MainWindow::showExportDialog);
    exportAs->setObjectName(QStringLiteral("actionExportAs"));
    file->addAction(tr("&Transfer weights into..."), this, &MainWindow::showTransferDialog)
        ->setObjectName(QStringLiteral("actionTransferInto"));
    QAction* compare =
        file->addAction(tr("Co&mpare with..."), this, &MainWindow::chooseCompareTarget);
    compare->setObjectName(QStringLiteral("actionCompareWith"));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undo_ = undoGroup_->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    undo->setObjectName(QStringLiteral("actionUndo"));
    QAction* redo = redo_ = undoGroup_->createRedoAction(this, tr("&Redo"));
    // Both common bindings, each once: QKeySequence::Redo already is Ctrl+Shift+Z on Linux, and
    // a sequence registered twice on one action is ambiguous, so it triggers nothing.
    redo->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redo->setObjectName(QStringLiteral("actionRedo"));
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    // The current page's selection edits (Set, Scale, Add, Zero, Paste) go here, in
    // updateSelectionActions(), between these separators.
    selectionEnd_ = edit->addSeparator();
    editMenu_ = edit;
    QAction* find = edit->addAction(tr("&Filter Tree"), this, [this] {
        if (ModelPage* page = currentPage()) {
            page->filterBox()->setFocus();
            page->filterBox()->selectAll();
        }
    });
    find->setShortcut(QKeySequence::Find);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* history = historyDock_->toggleViewAction();
    history->setObjectName(QStringLiteral("actionShowHistory"));
    view->addAction(history);

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->setMovable(false);
    for (QAction* a : {open, save, undo, redo, compare, exportAs}) bar->addAction(a);
    QAction* toolbarShown = bar->toggleViewAction();
    toolbarShown->setText(tr("&Toolbar"));
    view->addAction(toolbarShown);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&User Guide"), this, [this] { showUserGuide(this); })
        ->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&Keyboard Shortcuts"), this, [this] { showKeyboardShortcuts(this); });
    help->addSeparator();
    help->addAction(tr("&About Weightsmith"), this, &MainWindow::showAboutDialog)
        ->setObjectName(QStringLiteral("actionAbout"));
}

AboutDialog* MainWindow::showAboutDialog() {
    auto* dialog = new AboutDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

void MainWindow::updateHistoryDock() {
    const QUndoStack* stack = undoGroup_->activeStack();
    // The active stack is the current model tab's (none on a compare tab or the start page).
    historyDock_->setVisible(historyWanted_ && stack && stack->count() > 0);
}

void MainWindow::updateSelectionActions() {
    for (const QPointer<QAction>& a : shownSelectionActions_)
        if (a) editMenu_->removeAction(a);
    shownSelectionActions_.clear();
    ModelPage* page = currentPage();
    if (!page) return;
    for (QAction* a : page->valuesEditing()->actions()) {
        editMenu_->insertAction(selectionEnd_, a);
        shownSelectionActions_ << a;
    }
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    // The dock's own close button: the user does not want the history now.
    if (watched == historyDock_ && event->type() == QEvent::Close) historyWanted_ = false;
    return QMainWindow::eventFilter(watched, event);
}

QString MainWindow::lastFolder() const {
    const QString folder = QSettings().value(QLatin1String(kLastFolderKey)).toString();
    return !folder.isEmpty() && QFileInfo(folder).isDir() ? folder : QDir::homePath();
}

void MainWindow::rememberFolderOf(const QString& file) {
    QSettings().setValue(QLatin1String(kLastFolderKey), QFileInfo(file).absolutePath());
}

void MainWindow::chooseFiles() {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open model"), lastFolder(),
        tr("Weight files (*.h5 *.hdf5 *.keras *.pt *.pth *.bin *.ckpt *.safetensors);;"
           "All files (*)"));
    if (!files.isEmpty()) rememberFolderOf(files.first());
    for (const QString& f : files) openFile(f);
}

ModelPage* MainWindow::pageForFile(const QString& path) const {
    const QFileInfo wanted(path);
    for (int i = 0; i < tabs_->count(); ++i) {
        ModelPage* page = pageAt(i);
        if (!page) continue;
        const QFileInfo open(page->filePath());
        // The same file under another name (a symlink, "..") is the same file.
        if (open.absoluteFilePath() == wanted.absoluteFilePath() ||
            (!open.canonicalFilePath().isEmpty() &&
             open.canonicalFilePath() == wanted.canonicalFilePath()))
            return page;
    }
    return nullptr;
}

void MainWindow::openFile(const QString& path) {
    // One tab per file: two tabs editing one file would each save over the other's edits.
    if (ModelPage* open = pageForFile(path)) {
        tabs_->setCurrentWidget(open);
        addRecent(open->filePath());
        Q_EMIT pageFocused(open);
        return;
    }
    loader_->open(QFileInfo(path).absoluteFilePath());
}

void MainWindow::onLoaded(const QString& path, std::shared_ptr<Model> model) {
    auto* page = new ModelPage(std::move(model), tabs_);
    undoGroup_->addStack(page->editor()->undoStack());
    connect(page->editor(), &ModelEditor::readsChanged, this, &MainWindow::updateStatus);
    connect(page->editor(), &ModelEditor::undoRefused, this, [this](const QString& why) {
        Q_EMIT errorOccurred(why);
        if (!quietErrors_) QMessageBox::warning(this, tr("Undo failed"), why);
    });
    connect(page, &ModelPage::modifiedChanged, this, [this, page] {
        updateTabTitle(page);
        updateStatus();
    });
    const int i = tabs_->addTab(page, QFileInfo(path).fileName());
    tabs_->setTabToolTip(i, path);
    tabs_->setCurrentIndex(i);
    undoGroup_->setActiveStack(page->editor()->undoStack());
    if (pendingRestores_.contains(path)) {
        const QString journal = pendingRestores_.take(path);
        const QString why = restoreJournal(page->editor(), journal);
        if (!why.isEmpty()) {
            dropFailedRestore(page, path, journal, why);
            return;
        }
        updateTabTitle(page);
    }
    addRecent(path);
    updateStatus();
    Q_EMIT pageAdded(page);
}

void MainWindow::dropFailedRestore(ModelPage* page, const QString& path, const QString& journal,
                                   const QString& why) {
    // A restore that failed partway leaves the model half rewound, half replayed: nothing the
    // user may see or save. The tab goes without asking, the file opens again as it is on disk,
    // and the journal stays for another try.
    tabs_->removeTab(tabs_->indexOf(page));
    page->deleteLater();
    const QString message =
        tr("The unsaved edits to\n%1\ncould not be restored:\n\n%2\n\nThe file is opened "
           "without them; they are kept in\n%3")
            .arg(path, why, journal);
    Q_EMIT errorOccurred(message);
    if (!quietErrors_) QMessageBox::warning(this, tr("Cannot restore the edits"), message);
    openFile(path);
}

ModelPage* MainWindow::currentPage() const {
    return qobject_cast<ModelPage*>(tabs_->currentWidget());
}
ModelPage* MainWindow::pageAt(int i) const { return qobject_cast<ModelPage*>(tabs_->widget(i)); }
int MainWindow::pageCount() const { return tabs_->count(); }

ExportDialog* MainWindow::showExportDialog() {
    ModelPage* page = currentPage();
    if (!page) return nullptr;
    auto* dialog = new ExportDialog(page->model(), this);  // the model as edited on the page
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // Named after the file as it is now (after a Save As too), in the last folder used.
    const QFileInfo current(page->filePath());
    dialog->setFileName(QDir(lastFolder())
                            .filePath(current.completeBaseName() + QStringLiteral("-export.") +
                                      QFileInfo(dialog->fileEdit()->text()).suffix()));
    connect(dialog, &ExportDialog::finished, this, [this, dialog](bool ok, const QString&) {
        if (ok) rememberFolderOf(dialog->fileEdit()->text());
    });
    dialog->show();
    return dialog;
}

TransferDialog* MainWindow::showTransferDialog() {
    ModelPage* page = currentPage();
    if (!page) return nullptr;
    auto* dialog = new TransferDialog(page->model(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

QStringList MainWindow::recentFiles() const {
    return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void MainWindow::addRecent(const QString& path) {
    QStringList files = recentFiles();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecent) files.removeLast();
    QSettings().setValue(QLatin1String(kRecentKey), files);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList files = recentFiles();
    startPage_->setRecentFiles(files);
    for (const QString& f : files) recentMenu_->addAction(f, this, [this, f] { openFile(f); });
    recentMenu_->setEnabled(!files.isEmpty());
    if (!files.isEmpty()) {
        recentMenu_->addSeparator();
        recentMenu_->addAction(tr("Clear list"), this, [this] {
            QSettings().remove(QLatin1String(kRecentKey));
            rebuildRecentMenu();
        });
    }
}

void MainWindow::updateStatus() {
    central_->setCurrentWidget(tabs_->count() > 0 ? static_cast<QWidget*>(tabs_) : startPage_);
    ModelPage* page = currentPage();
    const QString blocked = page ? page->editor()->editBlockedBecause() : QString();
    // Undo, Redo and the history move the model too: not while a long read holds it.
    if (undo_) undo_->setEnabled(blocked.isEmpty() && undoGroup_->canUndo());
    if (redo_) redo_->setEnabled(blocked.isEmpty() && undoGroup_->canRedo());
    historyDock_->widget()->setEnabled(blocked.isEmpty());
    if (loader_->pending() > 0) return;  // the "Loading ..." text stays until done
    QString text = tr("Open a Keras, PyTorch or safetensors file (Ctrl+O or drop it here).");
    if (auto* compare = qobject_cast<ComparePage*>(tabs_->currentWidget()))
        text = compare->summary();
    else if (page)
        text = blocked.isEmpty() ? page->summary() : blocked;
    statusText_->setText(text);
    // "[*]" shows as "*" while the current model has unsaved edits.
    setWindowTitle(page ? tr("%1[*] - Weightsmith").arg(QFileInfo(page->filePath()).fileName())
                        : tr("Weightsmith"));
    setWindowModified(page && page->isModified());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) openFile(url.toLocalFile());
    event->acceptProposedAction();
}

bool MainWindow::savePage(ModelPage* page) { return savePageAs(page, page->filePath()); }

bool MainWindow::savePageAs(ModelPage* page, const QString& path) {
    QString target = path;
    if (target.isEmpty()) {
        // The save keeps the model's format: offer that format's file names.
        const QFileInfo current(page->filePath());
        target = QFileDialog::getSaveFileName(this, tr("Save model as"),
                                              QDir(lastFolder()).filePath(current.fileName()),
                                              tr("Same format as %1 (*.%2);;All files (*)")
                                                  .arg(current.fileName(), current.suffix()));
    }
    if (target.isEmpty()) return false;
    const QString before = page->filePath();
    const QString why = page->editor()->save(QFileInfo(target).absoluteFilePath());
    if (!why.isEmpty()) {
        Q_EMIT errorOccurred(why);
        if (!quietErrors_) QMessageBox::warning(this, tr("Cannot save"), why);
        return false;
    }
    updateTabTitle(page);
    updateStatus();
    if (page->filePath() != before) {  // Save As: a file the user will want to reopen
        addRecent(page->filePath());
        rememberFolderOf(page->filePath());
    }
    statusBar()->showMessage(tr("Saved %1").arg(page->filePath()), 5000);
    return true;
}

bool MainWindow::mayClosePage(ModelPage* page) {
    if (!page || !page->isModified()) return true;
    tabs_->setCurrentWidget(page);
    QMessageBox box(this);
    box.setObjectName(QStringLiteral("unsavedChangesBox"));
    box.setIcon(QMessageBox::Warning);
    box.setWindowTitle(tr("Unsaved edits"));
    box.setText(tr("%1 has unsaved edits.").arg(QFileInfo(page->filePath()).fileName()));
    box.setInformativeText(tr("Save them before closing?"));
    box.setStandardButtons(QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    box.setDefaultButton(QMessageBox::Save);
    const int answer = box.exec();
    if (answer == QMessageBox::Save) return savePage(page);
    return answer == QMessageBox::Discard;
}

void MainWindow::updateTabTitle(ModelPage* page) {
    const int i = tabs_->indexOf(page);
    if (i < 0) return;
    const QString name = QFileInfo(page->filePath()).fileName();
    tabs_->setTabText(i, page->isModified() ? name + QStringLiteral(" *") : name);
    tabs_->setTabToolTip(i, page->filePath());
}

void MainWindow::offerJournalRestore() {
    for (const RestoreRequest& r : askWhichJournalsToRestore(this)) {
        const QString path = QFileInfo(r.sourceFile).absoluteFilePath();
        if (ModelPage* open = pageForFile(path)) {
            if (!restoreIntoOpenPage(open, path, r.journalFile)) continue;
        }
        pendingRestores_.insert(path, r.journalFile);
        openFile(path);
    }
}

bool MainWindow::restoreIntoOpenPage(ModelPage* page, const QString& path, const QString& journal) {
    tabs_->setCurrentWidget(page);
    if (page->isModified()) {
        QMessageBox box(this);
        box.setObjectName(QStringLiteral("replaceOpenEditsBox"));
        box.setIcon(QMessageBox::Question);
        box.setWindowTitle(tr("File already open"));
        box.setText(
            tr("%1 is open with unsaved edits of its own.").arg(QFileInfo(path).fileName()));
        box.setInformativeText(
            tr("Discard them and restore the edits found instead? Keeping "
               "them keeps the found edits for the next start."));
        QPushButton* replace = box.addButton(tr("Discard and Restore"), QMessageBox::AcceptRole);
        replace->setObjectName(QStringLiteral("replaceButton"));
        box.addButton(tr("Keep Open Edits"), QMessageBox::RejectRole);
        box.exec();
        if (box.clickedButton() != replace) return false;
    } else if (page->editor()->session().lastVersion() == 0) {
        // Clean, never edited: the journal goes straight into the open tab.
        const QString why = restoreJournal(page->editor(), journal);
        if (!why.isEmpty())
            dropFailedRestore(page, path, journal, why);
        else
            updateTabTitle(page);
        updateStatus();
        return false;
    }
    // A tab with a history of its own: it goes (without asking again) and the file opens anew
    // with the edits, in one tab.
    tabs_->removeTab(tabs_->indexOf(page));
    page->deleteLater();
    return true;
}

void MainWindow::chooseCompareTarget() {
    ModelPage* a = currentPage();
    if (!a) return;
    // Each choice names the file in full: two open files may share a name, and the tab text
    // carries a " *" once edited.
    QStringList choices;
    QList<ModelPage*> pages;
    for (int i = 0; i < tabs_->count(); ++i)
        if (ModelPage* p = pageAt(i); p && p != a) {
            choices << tr("%1 (%2)").arg(tabs_->tabText(i), p->filePath());
            pages << p;
        }
    const QString other = tr("Another file...");
    choices << other;
    bool ok = false;
    const QString choice =
        QInputDialog::getItem(this, tr("Compare with"),
                              tr("Compare %1 (A) with (B):").arg(tabs_->tabText(tabs_->indexOf(a))),
                              choices, 0, false, &ok);
    if (!ok) return;
    if (choice != other) {
        compareWith(a, pages.at(choices.indexOf(choice)));
        return;
    }
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Compare with model"), QString(),
        tr("Weight files (*.h5 *.hdf5 *.keras *.pt *.pth *.bin *.ckpt *.safetensors);;"
           "All files (*)"));
    if (file.isEmpty()) return;
    // The file opens as a page of its own (B), then the comparison follows.
    // Only that file's page completes the comparison (other opens may finish first), and a
    // failed load drops the request instead of leaving it to catch a later, unrelated open.
    QPointer<ModelPage> keepA = a;
    const QString wanted = QFileInfo(file).canonicalFilePath();
    auto added = std::make_shared<QMetaObject::Connection>();
    auto failed = std::make_shared<QMetaObject::Connection>();
    *added = connect(this, &MainWindow::pageAdded, this,
                     [this, keepA, wanted, added, failed](ModelPage* b) {
                         if (QFileInfo(b->filePath()).canonicalFilePath() != wanted) return;
                         disconnect(*added);
                         disconnect(*failed);
                         if (keepA) compareWith(keepA, b);
                     });
    *failed = connect(loader_, &ModelLoader::failed, this,
                      [wanted, added, failed](const QString& path, const QString&) {
                          if (QFileInfo(path).canonicalFilePath() != wanted) return;
                          disconnect(*added);
                          disconnect(*failed);
                      });
    openFile(file);
}

ComparePage* MainWindow::compareWith(ModelPage* a, ModelPage* b) {
    if (!a || !b) return nullptr;
    // File names, not tab texts: those carry a " *" while edited.
    const QString nameA = QFileInfo(a->filePath()).fileName();
    const QString nameB = QFileInfo(b->filePath()).fileName();
    auto* page = new ComparePage(a->model(), nameA, b->model(), nameB, tabs_);
    const int i = tabs_->addTab(page, tr("%1 vs %2").arg(nameA, nameB));
    tabs_->setTabToolTip(i, tr("Compare %1 (A) with %2 (B)").arg(a->filePath(), b->filePath()));
    // The metrics are a snapshot: an edit of either side marks the tab stale.
    connect(a->editor(), &ModelEditor::tensorsChanged, page, [page] { page->modelEdited(true); });
    connect(b->editor(), &ModelEditor::tensorsChanged, page, [page] { page->modelEdited(false); });
    connect(page, &ComparePage::summaryChanged, this, &MainWindow::updateStatus);
    tabs_->setCurrentIndex(i);
    Q_EMIT compareOpened(page);
    return page;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    for (int i = 0; i < tabs_->count(); ++i)
        if (!mayClosePage(pageAt(i))) {
            event->ignore();
            return;
        }
    QSettings().setValue(QStringLiteral("window/geometry"), saveGeometry());
    QMainWindow::closeEvent(event);
}

}  // namespace ws::ui
