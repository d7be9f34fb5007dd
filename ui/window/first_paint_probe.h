// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// For the launch benchmark (tests/bench/gui_first_paint.sh): with WS_FIRST_PAINT_REPORT=1 the
// app prints, at the first paint of a model's tree, the wall-clock time (ns since the epoch, so
// a script can subtract its own launch time) and the time since main() started, then quits.
#include <QElapsedTimer>
#include <QObject>

namespace ws::ui {

class MainWindow;
class ModelPage;

class FirstPaintProbe : public QObject {
    Q_OBJECT
  public:
    // Installs itself when the environment asks for it; returns whether it did.
    static bool installIfRequested(MainWindow* window, const QElapsedTimer& sinceMain);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    FirstPaintProbe(MainWindow* window, const QElapsedTimer& sinceMain);
    void onPage(ModelPage* page);

    QElapsedTimer sinceMain_;
    bool reported_ = false;
};

}  // namespace ws::ui
