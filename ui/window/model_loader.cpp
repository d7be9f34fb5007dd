// SPDX-License-Identifier: GPL-3.0-or-later
#include "window/model_loader.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>
#include <exception>
#include <new>

#include "formats/open_model.h"
#include "inspect/latest_job.h"

namespace ws::ui {

namespace {

struct LoadResult {
    std::shared_ptr<Model> model;
    QString error;
};

LoadResult load(const QString& path) {
    LoadResult r;
    try {
        r.model = openModel(path.toStdString());
    } catch (const std::bad_alloc&) {
        r.error = QStringLiteral("%1: out of memory").arg(path);
    } catch (const std::exception& e) {
        // openModel() already prefixes FormatError messages with the path.
        r.error = QString::fromStdString(e.what());
        if (!r.error.startsWith(path)) r.error = path + QStringLiteral(": ") + r.error;
    }
    return r;
}

}  // namespace

void ModelLoader::open(const QString& path) {
    ++pending_;
    Q_EMIT started(path);
    auto* watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path] {
        const LoadResult r = watcher->result();
        watcher->deleteLater();
        --pending_;
        if (r.model)
            Q_EMIT loaded(path, r.model);
        else
            Q_EMIT failed(path, r.error);
        if (pending_ == 0) Q_EMIT idle();
    });
    // Not the global pool, which Qt borrows from the GUI thread (see latest_job.h).
    watcher->setFuture(QtConcurrent::run(longJobPool(), load, path));
}

}  // namespace ws::ui
