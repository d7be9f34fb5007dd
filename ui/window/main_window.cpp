#include "window/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include "window/model_loader.h"
#include "window/model_page.h"

namespace ws::ui {

namespace {

const char* const kRecentKey = "recentFiles";
constexpr int kMaxRecent = 10;

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    qRegisterMetaType<ModelPage*>();  // pageAdded() is observed through QSignalSpy in tests
    setWindowTitle(tr("Weightsmith"));
    setWindowIcon(QIcon(QStringLiteral(":/weightsmith/icons/weightsmith.png")));
    setAcceptDrops(true);
    resize(1400, 860);

    tabs_ = new QTabWidget(this);
    tabs_->setTabsClosable(true);
    tabs_->setMovable(true);
    tabs_->setDocumentMode(true);
    setCentralWidget(tabs_);
    connect(tabs_, &QTabWidget::tabCloseRequested, this, [this](int i) {
        QWidget* page = tabs_->widget(i);
        tabs_->removeTab(i);
        page->deleteLater();
        updateStatus();
    });
    connect(tabs_, &QTabWidget::currentChanged, this, &MainWindow::updateStatus);

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
    connect(loader_, &ModelLoader::failed, this, [this](const QString& path, const QString& msg) {
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
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    QAction* close = file->addAction(tr("&Close Model"), this, [this] {
        if (tabs_->count()) Q_EMIT tabs_->tabCloseRequested(tabs_->currentIndex());
    });
    close->setShortcut(QKeySequence::Close);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* find = edit->addAction(tr("&Filter Tree"), this, [this] {
        if (ModelPage* page = currentPage()) {
            page->filterBox()->setFocus();
            page->filterBox()->selectAll();
        }
    });
    find->setShortcut(QKeySequence::Find);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Weightsmith"), this, [this] {
        QMessageBox::about(this, tr("About Weightsmith"),
                           tr("<b>Weightsmith %1</b><br>Inspect neural-network weight files: "
                              "Keras .h5/.keras, PyTorch .pt/.pth, safetensors.")
                               .arg(QStringLiteral(WS_VERSION)));
    });
}

void MainWindow::chooseFiles() {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open model"), QString(),
        tr("Weight files (*.h5 *.hdf5 *.keras *.pt *.pth *.bin *.ckpt *.safetensors);;"
           "All files (*)"));
    for (const QString& f : files) openFile(f);
}

void MainWindow::openFile(const QString& path) {
    loader_->open(QFileInfo(path).absoluteFilePath());
}

void MainWindow::onLoaded(const QString& path, std::shared_ptr<const Model> model) {
    auto* page = new ModelPage(std::move(model), tabs_);
    const int i = tabs_->addTab(page, QFileInfo(path).fileName());
    tabs_->setTabToolTip(i, path);
    tabs_->setCurrentIndex(i);
    addRecent(path);
    updateStatus();
    Q_EMIT pageAdded(page);
}

ModelPage* MainWindow::currentPage() const {
    return qobject_cast<ModelPage*>(tabs_->currentWidget());
}
ModelPage* MainWindow::pageAt(int i) const { return qobject_cast<ModelPage*>(tabs_->widget(i)); }
int MainWindow::pageCount() const { return tabs_->count(); }

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
    if (loader_->pending() > 0) return;  // the "Loading ..." text stays until done
    ModelPage* page = currentPage();
    statusText_->setText(page ? page->summary()
                              : tr("Open a Keras, PyTorch or safetensors file (Ctrl+O or drop "
                                   "it here)."));
    setWindowTitle(page ? tr("%1 - Weightsmith").arg(tabs_->tabText(tabs_->currentIndex()))
                        : tr("Weightsmith"));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) openFile(url.toLocalFile());
    event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings().setValue(QStringLiteral("window/geometry"), saveGeometry());
    QMainWindow::closeEvent(event);
}

}  // namespace ws::ui
