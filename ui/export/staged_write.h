// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writing a file on a worker thread so that Cancel really leaves the destination alone: the
// writer produces a hidden temporary file next to the destination (same folder, so the final
// rename stays on one file system; same suffix, since the core picks some writers by it), and
// only when it finished and was not cancelled is the temporary renamed over the destination.
// A cancelled or failed write's temporary is removed.
#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace ws::ui {

class StagedWrite : public QObject {
    Q_OBJECT
  public:
    struct Result {
        QString error;  // empty: written
        QString text;   // what was written, for the user
    };
    // Runs on the worker pool; writes tempPath (checking `cancel` where it can).
    using Writer = std::function<Result(const std::string& tempPath, const std::atomic<bool>*)>;

    using QObject::QObject;
    ~StagedWrite() override;

    void start(const QString& destination, Writer writer);
    // The destination is left untouched; no finished() follows.
    void cancel();
    bool running() const { return running_ != nullptr; }

  Q_SIGNALS:
    // ok: the destination holds the new file; message: Result::text, or the error with the
    // temporary file's name replaced by the destination's.
    void finished(bool ok, const QString& message);

  private:
    std::shared_ptr<std::atomic<bool>> running_;  // the running write's cancel flag
};

}  // namespace ws::ui
