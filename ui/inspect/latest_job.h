// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One background computation per view, the latest one only: starting a job (or cancel())
// raises the previous job's cancel flag, so its streaming read stops within one piece, and drops
// its watcher, so a result that still arrives is never delivered.
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>
#include <functional>
#include <memory>
#include <new>
#include <stdexcept>

#include "stats/element_grid.h"

class QThreadPool;

namespace ws::ui {

// The pool the views' reading jobs run on. Not the global one: Qt itself borrows global pool
// threads from the GUI thread (QImage conversions wait for them), so seconds-long reads there
// would freeze painting. Its jobs read snapshots of the tensors (readSnapshot in
// edit/editable_storage.h), so an edit never waits for them.
QThreadPool* viewThreadPool();
// The pool of long jobs that an edit must not wait for: model loads, exports, transfers, parity
// checks, comparisons. Those that read an editable model hold a ModelRead (ui/edit/model_reads.h)
// instead, which makes edits of that model refuse rather than wait.
QThreadPool* longJobPool();

// Runs a view's streaming read and records how it ended in the job: a cancelled read sets
// job.cancelled, a failure becomes job.error, the text the view shows in place of the data.
template <typename Job, typename Read>
void runRead(Job& job, Read read) {
    try {
        read();
    } catch (const ReadCancelled&) {
        job.cancelled = true;
    } catch (const std::bad_alloc&) {
        job.error = QObject::tr("out of memory while reading the values");
    } catch (const std::exception& e) {
        job.error = QString::fromStdString(e.what());
    }
}

template <typename Result>
class LatestJob {
  public:
    explicit LatestJob(QObject* owner, QThreadPool* pool = viewThreadPool())
        : owner_(owner), pool_(pool) {}
    ~LatestJob() { cancel(); }

    // work(cancelFlag) runs on the job's pool; done(result) on the owner's thread.
    void start(std::function<Result(const std::atomic<bool>*)> work,
               std::function<void(const Result&)> done) {
        cancel();
        auto flag = std::make_shared<std::atomic<bool>>(false);
        flag_ = flag;
        auto* watcher = new QFutureWatcher<Result>(owner_);
        watcher_ = watcher;
        QObject::connect(watcher, &QFutureWatcherBase::finished, owner_, [this, watcher, done] {
            if (watcher != watcher_) return;
            watcher_ = nullptr;
            flag_.reset();
            watcher->deleteLater();
            done(watcher->result());
        });
        watcher->setFuture(QtConcurrent::run(pool_, [work, flag] { return work(flag.get()); }));
    }

    void cancel() {
        if (flag_) flag_->store(true);
        flag_.reset();
        if (watcher_) {
            watcher_->disconnect();
            watcher_->deleteLater();
            watcher_ = nullptr;
        }
    }

    bool running() const { return watcher_ != nullptr; }

  private:
    QObject* owner_;
    QThreadPool* pool_;
    QFutureWatcher<Result>* watcher_ = nullptr;
    std::shared_ptr<std::atomic<bool>> flag_;
};

// Work up to this many elements is done at once on the GUI thread (well under a millisecond
// per 10^5 elements): a worker round trip would only make small tensors flicker.
constexpr std::int64_t kInlineElements = std::int64_t(1) << 18;

// Threads one heatmap preparation reads with.
int preparationThreads();

}  // namespace ws::ui
