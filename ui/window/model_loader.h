// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Opens model files on worker threads so the window keeps painting while a large file's
// metadata is read. Results come back on the GUI thread as signals.
#include <QObject>
#include <QString>
#include <memory>

#include "model/model.h"

namespace ws::ui {

class ModelLoader : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;

    // Starts reading path; exactly one of loaded() or failed() follows for it.
    void open(const QString& path);
    int pending() const { return pending_; }

  Q_SIGNALS:
    void started(const QString& path);
    void loaded(const QString& path, std::shared_ptr<ws::Model> model);  // editable
    // message names the file and what is wrong with it (ws::FormatError text).
    void failed(const QString& path, const QString& message);
    void idle();  // nothing is loading any more

  private:
    int pending_ = 0;
};

}  // namespace ws::ui
