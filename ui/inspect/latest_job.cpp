#include "inspect/latest_job.h"

#include <QThread>
#include <QThreadPool>
#include <algorithm>

namespace ws::ui {

QThreadPool* viewThreadPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;  // lives until exit, like the global pool
        p->setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
        return p;
    }();
    return pool;
}

int preparationThreads() { return std::clamp(QThread::idealThreadCount(), 1, 8); }

}  // namespace ws::ui
