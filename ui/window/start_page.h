// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the window shows while no model is open: how to open one (button, recent files, the
// bundled example, drag and drop) and which formats the app reads, instead of a blank area.
#include <QStringList>
#include <QWidget>

class QListWidget;
class QPushButton;
class QLabel;

namespace ws::ui {

class StartPage : public QWidget {
    Q_OBJECT
  public:
    explicit StartPage(QWidget* parent = nullptr);

    void setRecentFiles(const QStringList& files);
    QListWidget* recentList() const { return recent_; }
    QPushButton* exampleButton() const { return example_; }

    // The bundled example model (installed beside the program, or in the source tree of a
    // build); empty when neither is there.
    static QString exampleModelPath();
    // The formats the app reads, one line each, for the start page and About.
    static QStringList readableFormats();

  Q_SIGNALS:
    void openRequested(const QString& path);
    void browseRequested();

  private:
    QListWidget* recent_ = nullptr;
    QLabel* noRecent_ = nullptr;
    QPushButton* example_ = nullptr;
};

}  // namespace ws::ui
