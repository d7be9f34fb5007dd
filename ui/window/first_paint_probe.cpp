// SPDX-License-Identifier: GPL-3.0-or-later
#include "window/first_paint_probe.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEvent>
#include <QTimer>
#include <QTreeView>
#include <cstdio>

#include "window/main_window.h"
#include "window/model_page.h"

namespace ws::ui {

bool FirstPaintProbe::installIfRequested(MainWindow* window, const QElapsedTimer& sinceMain) {
    if (qEnvironmentVariableIntValue("WS_FIRST_PAINT_REPORT") != 1) return false;
    new FirstPaintProbe(window, sinceMain);
    return true;
}

FirstPaintProbe::FirstPaintProbe(MainWindow* window, const QElapsedTimer& sinceMain)
    : QObject(window), sinceMain_(sinceMain) {
    connect(window, &MainWindow::pageAdded, this, &FirstPaintProbe::onPage);
    connect(window, &MainWindow::errorOccurred, this, [](const QString& why) {
        std::fprintf(stderr, "weightsmith: first-paint probe: %s\n", qPrintable(why));
        QCoreApplication::exit(1);
    });
}

void FirstPaintProbe::onPage(ModelPage* page) {
    // The tree's viewport paints the rows: its first paint is the model on screen.
    page->tree()->viewport()->installEventFilter(this);
}

bool FirstPaintProbe::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Paint && !reported_) {
        reported_ = true;
        // Reported after the paint itself has run.
        QTimer::singleShot(0, this, [this] {
            std::printf("first-paint-epoch-ns: %lld\nfirst-paint-ms-since-main: %lld\n",
                        QDateTime::currentMSecsSinceEpoch() * 1000000LL, sinceMain_.elapsed());
            std::fflush(stdout);
            QCoreApplication::exit(0);
        });
    }
    return QObject::eventFilter(watched, event);
}

}  // namespace ws::ui
