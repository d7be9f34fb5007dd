// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/staged_write.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "inspect/latest_job.h"

namespace ws::ui {

StagedWrite::~StagedWrite() { cancel(); }

void StagedWrite::start(const QString& destination, Writer writer) {
    cancel();
    const QFileInfo dest(destination);
    const QString temp = dest.dir().filePath(
        QStringLiteral(".%1.partial-%2.%3")
            .arg(dest.completeBaseName(), QUuid::createUuid().toString(QUuid::Id128).left(12),
                 dest.suffix()));
    auto flag = std::make_shared<std::atomic<bool>>(false);
    running_ = flag;
    auto* watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, temp, destination, flag] {
        watcher->deleteLater();
        const Result r = watcher->result();
        if (flag->load()) {  // cancelled while it was writing: drop it
            QFile::remove(temp);
            return;
        }
        running_.reset();
        if (!r.error.isEmpty()) {
            QFile::remove(temp);
            QString error = r.error;
            Q_EMIT finished(false, error.replace(temp, destination));
            return;
        }
        // rename(2) replaces an existing destination atomically (QFile::rename would refuse).
        if (std::rename(QFile::encodeName(temp).constData(),
                        QFile::encodeName(destination).constData()) != 0) {
            const QString why = QString::fromLocal8Bit(std::strerror(errno));
            QFile::remove(temp);
            Q_EMIT finished(false, tr("cannot move the finished temporary file %1 into place at "
                                      "%2: %3")
                                       .arg(temp, destination, why));
            return;
        }
        Q_EMIT finished(true, r.text);
    });
    const std::string tempPath = temp.toStdString();
    watcher->setFuture(QtConcurrent::run(longJobPool(), [writer, tempPath, flag] {
        try {
            Result r = writer(tempPath, flag.get());
            // Cancelled meanwhile: remove it here too, in case the owner (and with it the
            // finished handler) is gone already.
            if (flag->load()) std::remove(tempPath.c_str());
            return r;
        } catch (const std::bad_alloc&) {
            return Result{tr("out of memory while writing"), {}};
        } catch (const std::exception& e) {
            return Result{QString::fromStdString(e.what()), {}};
        }
    }));
}

void StagedWrite::cancel() {
    if (running_) running_->store(true);  // the finished handler removes the temporary file
    running_.reset();
}

}  // namespace ws::ui
