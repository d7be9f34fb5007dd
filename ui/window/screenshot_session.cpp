// SPDX-License-Identifier: GPL-3.0-or-later
#include "window/screenshot_session.h"

#include <QCoreApplication>
#include <QPixmap>
#include <QTimer>
#include <cstdio>

#include "heatmap/heatmap_view.h"
#include "inspect/tensor_inspector.h"
#include "layer/layer_overview.h"
#include "window/main_window.h"
#include "window/model_page.h"

namespace ws::ui {

namespace {

constexpr int kTimeoutMs = 120000;
constexpr int kSettleMs = 400;  // lets layouts and replots finish before grabbing

}  // namespace

ScreenshotSession::ScreenshotSession(MainWindow* window, ScreenshotRequest request)
    : QObject(window), window_(window), request_(std::move(request)) {
    window_->setQuietErrors(true);
    connect(window_, &MainWindow::pageAdded, this, &ScreenshotSession::onPage);
    connect(window_, &MainWindow::errorOccurred, this, &ScreenshotSession::fail);
    QTimer::singleShot(kTimeoutMs, this, [this] { fail(QStringLiteral("timed out")); });
    // The start page: what the window shows before any file is opened.
    if (request_.view == QLatin1String("start")) captureSoon();
}

void ScreenshotSession::fail(const QString& why) {
    std::fprintf(stderr, "weightsmith: screenshot failed: %s\n", qPrintable(why));
    QCoreApplication::exit(1);
}

void ScreenshotSession::onPage(ModelPage* page) {
    if (request_.selectPath.isEmpty()) {
        captureSoon();
        return;
    }
    if (request_.view == QLatin1String("layer")) {
        connect(page->layerOverview(), &LayerOverview::allShown, this,
                &ScreenshotSession::captureSoon, Qt::SingleShotConnection);
    } else {
        connect(
            page->inspector(), &TensorInspector::dataShown, this,
            [this, page] { prepareTensorView(page); }, Qt::SingleShotConnection);
    }
    if (!page->selectPath(request_.selectPath))
        fail(QStringLiteral("no node %1 in the model").arg(request_.selectPath));
}

void ScreenshotSession::prepareTensorView(ModelPage* page) {
    TensorInspector* inspector = page->inspector();
    if (request_.view == QLatin1String("histogram")) {
        inspector->showTab(TensorInspector::HistogramTab);
    } else if (request_.view == QLatin1String("values")) {
        inspector->showTab(TensorInspector::ValuesTab);
    } else {
        inspector->showTab(TensorInspector::HeatmapTab);
        inspector->heatmap()->setTiles(request_.view == QLatin1String("tiles"));
    }
    captureSoon();
}

void ScreenshotSession::captureSoon() {
    QTimer::singleShot(kSettleMs, this, [this] {
        const QPixmap shot = window_->grab();
        if (shot.isNull() || !shot.save(request_.output))
            return fail(QStringLiteral("cannot write %1").arg(request_.output));
        std::printf("wrote %s (%dx%d)\n", qPrintable(request_.output), shot.width(), shot.height());
        QCoreApplication::exit(0);
    });
}

}  // namespace ws::ui
