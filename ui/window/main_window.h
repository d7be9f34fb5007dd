#pragma once
// The application window: opens model files (menu, command line, drag and drop, recent files),
// one tab per open model, progress while loading and a status line with the model's totals.
#include <QMainWindow>
#include <QStringList>
#include <memory>

#include "model/model.h"

class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;

namespace ws::ui {

class ModelLoader;
class ModelPage;

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

  Q_SIGNALS:
    void pageAdded(ws::ui::ModelPage* page);
    void errorOccurred(const QString& message);

  protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildMenus();
    void chooseFiles();
    void addRecent(const QString& path);
    void rebuildRecentMenu();
    void updateStatus();
    void onLoaded(const QString& path, std::shared_ptr<const Model> model);

    ModelLoader* loader_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QLabel* statusText_ = nullptr;
    QProgressBar* busy_ = nullptr;
    bool quietErrors_ = false;
};

}  // namespace ws::ui
