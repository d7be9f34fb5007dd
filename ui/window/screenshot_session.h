// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The hidden screenshot mode (--screenshot OUT.png --select PATH --view ...): opens the file,
// selects a node, waits until its views hold data, saves the window with QWidget::grab and quits.
// scripts/screenshots.sh uses it to render docs/screenshots/ from real files.
#include <QObject>
#include <QString>

namespace ws::ui {

class MainWindow;
class ModelPage;

struct ScreenshotRequest {
    QString output;      // PNG path
    QString selectPath;  // Node::path to select; empty: the tree only
    QString view;        // heatmap | tiles | histogram | values | layer
};

class ScreenshotSession : public QObject {
    Q_OBJECT
  public:
    ScreenshotSession(MainWindow* window, ScreenshotRequest request);

  private:
    void onPage(ModelPage* page);
    void prepareTensorView(ModelPage* page);
    void captureSoon();
    void fail(const QString& why);

    MainWindow* window_;
    ScreenshotRequest request_;
};

}  // namespace ws::ui
