// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Long reads of a whole open model on worker threads - Export as..., Transfer weights into...,
// the Compare tab's metrics - while the user may edit that model on the GUI thread, and an
// edit writes tensor bytes (and may swap a tensor's storage for its copy-on-write copy).
//
// Every such reader holds a ModelRead for each open model it reads: taken on the GUI thread
// before its worker starts, released when the worker has stopped reading. While one is held,
// ModelEditor refuses edits of that model with a message naming the read, and the window
// disables Undo/Redo and the history, instead of freezing until a read of possibly many
// seconds ends: the read sees one consistent state (an export holds exactly what the user
// saw when starting it), the window stays responsive, and the status bar says when editing is
// possible again. (The views' own short reads take snapshots instead: readSnapshot().)
#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <vector>

#include "model/model.h"

namespace ws::ui {

class ModelRead {
  public:
    // Call on the GUI thread. `what` names the read for the user ("Export as").
    ModelRead(const Model& model, const QString& what);
    ~ModelRead();  // releases
    ModelRead(const ModelRead&) = delete;
    ModelRead& operator=(const ModelRead&) = delete;

    // Any thread, any number of times: the read has stopped. The edits become possible once
    // the GUI thread has seen the release (so a test or a user never races a finishing read).
    void release();

  private:
    const Model* model_;
    int id_;
    std::shared_ptr<std::atomic<bool>> released_;
};
using ModelReadPtr = std::shared_ptr<ModelRead>;

// Releases the reads when the worker's scope ends, by return or by exception.
class ModelReadScope {
  public:
    explicit ModelReadScope(std::vector<ModelReadPtr> reads) : reads_(std::move(reads)) {}
    ~ModelReadScope() {
        for (const ModelReadPtr& r : reads_)
            if (r) r->release();
    }
    ModelReadScope(const ModelReadScope&) = delete;
    ModelReadScope& operator=(const ModelReadScope&) = delete;

  private:
    std::vector<ModelReadPtr> reads_;
};

// The names of the reads holding `model` now (GUI thread); empty when none.
QStringList modelReadsInProgress(const Model& model);

// Tells the GUI thread when a read of a model starts or ends.
class ModelReads : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;
    static ModelReads* instance();
  Q_SIGNALS:
    void changed(const ws::Model* model);
};

}  // namespace ws::ui
