#include "inspect/latest_job.h"

#include <QThread>
#include <QThreadPool>
#include <algorithm>

namespace ws::ui {

QThreadPool* viewThreadPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;  // lives until exit, like the global pool
        // Heatmap, statistics, a layer overview and a model load may all be in flight; none
        // should wait for another's seconds-long read (they yield to each other on the CPUs).
        p->setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
        return p;
    }();
    return pool;
}

QThreadPool* longJobPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;  // lives until exit, like the global pool
        // A load, an export, a transfer and a comparison may all be running at once.
        p->setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
        return p;
    }();
    return pool;
}

int preparationThreads() { return std::clamp(QThread::idealThreadCount(), 1, 8); }

}  // namespace ws::ui
