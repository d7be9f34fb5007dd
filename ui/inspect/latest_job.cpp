// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspect/latest_job.h"

#include <QThread>
#include <QThreadPool>
#include <algorithm>

namespace ws::ui {

namespace {

// Pools live until exit, like the global pool. At least 4 threads: a heatmap, statistics and a
// layer overview (view pool), or a load, an export and a comparison (long-job pool), may all be
// in flight, and none should wait for another's seconds-long read.
QThreadPool* makePool() {
    auto* p = new QThreadPool;
    p->setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
    return p;
}

}  // namespace

QThreadPool* viewThreadPool() {
    static QThreadPool* pool = makePool();
    return pool;
}

QThreadPool* longJobPool() {
    static QThreadPool* pool = makePool();
    return pool;
}

int preparationThreads() { return std::clamp(QThread::idealThreadCount(), 1, 8); }

}  // namespace ws::ui
