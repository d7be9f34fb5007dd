// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/model_reads.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <atomic>
#include <map>
#include <utility>

namespace ws::ui {

namespace {

// GUI thread only: releases from workers are posted there, so no lock is needed and a read
// counts as running until the GUI thread has handled its end.
struct Registry {
    int nextId = 0;
    std::map<const Model*, std::map<int, QString>> reads;
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

ModelReads* ModelReads::instance() {
    static auto* reads = new ModelReads(QCoreApplication::instance());
    return reads;
}

ModelRead::ModelRead(const Model& model, const QString& what)
    : model_(&model), id_(++registry().nextId), released_(std::make_shared<std::atomic<bool>>()) {
    registry().reads[model_][id_] = what;
    Q_EMIT ModelReads::instance()->changed(model_);
}

ModelRead::~ModelRead() { release(); }

void ModelRead::release() {
    if (released_->exchange(true)) return;
    const Model* model = model_;
    const int id = id_;
    QMetaObject::invokeMethod(
        ModelReads::instance(),
        [model, id] {
            auto at = registry().reads.find(model);
            if (at == registry().reads.end()) return;
            at->second.erase(id);
            if (at->second.empty()) registry().reads.erase(at);
            Q_EMIT ModelReads::instance()->changed(model);
        },
        Qt::QueuedConnection);
}

QStringList modelReadsInProgress(const Model& model) {
    QStringList out;
    auto at = registry().reads.find(&model);
    if (at != registry().reads.end())
        for (const auto& [id, what] : at->second) out << what;
    return out;
}

}  // namespace ws::ui
