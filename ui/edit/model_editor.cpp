// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/model_editor.h"

#include <QUndoStack>
#include <algorithm>
#include <exception>

#include "edit/journal_replay.h"
#include "edit/model_reads.h"
#include "edit/tensor_edit_command.h"
#include "save/save_model.h"

namespace ws::ui {

namespace {

QSet<QString> toQSet(const std::set<std::string>& paths) {
    QSet<QString> out;
    for (const std::string& p : paths) out.insert(QString::fromStdString(p));
    return out;
}

}  // namespace

ModelEditor::ModelEditor(std::shared_ptr<Model> model, const QString& sourcePath, QObject* parent)
    : QObject(parent), session_(std::move(model)), filePath_(sourcePath) {
    stack_ = new QUndoStack(this);
    observer_ = session_.observe([this](const SessionChange& c) { onSessionChanged(c); });
    connect(ModelReads::instance(), &ModelReads::changed, this, [this](const Model* m) {
        if (m == this->model().get()) Q_EMIT readsChanged();
    });
}

ModelEditor::~ModelEditor() {
    // The stack is a child: left to ~QObject, it would be cleared after the session is gone, and
    // its indexChanged would reach listeners (the page's edited marks) that ask this half-
    // destroyed editor. Go first, and quietly.
    stack_->blockSignals(true);
    delete stack_;
    stack_ = nullptr;
    session_.unobserve(observer_);
    dropJournal();
}

QString ModelEditor::journalFile() const {
    return journal_ ? QString::fromStdString(journal_->file()) : QString();
}

QString ModelEditor::editBlockedBecause() const {
    const QStringList reads = modelReadsInProgress(*model());
    if (reads.isEmpty()) return {};
    return tr("%1 is reading this model: edit it again when that has finished")
        .arg(reads.join(QStringLiteral(", ")));
}

QString ModelEditor::apply(const std::vector<Edit>& edits, const QString& label) {
    if (edits.empty()) return tr("nothing to edit");
    if (const QString blocked = editBlockedBecause(); !blocked.isEmpty()) return blocked;
    try {
        // All or nothing, and a refusal partway keeps the redo steps: nothing about the
        // history changes. A success reaches the stack and the journal as a session change.
        session_.applyAll(edits, label.toStdString());
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    } catch (...) {  // called from action lambdas: nothing may escape into Qt
        return tr("the edit failed");
    }
    return {};
}

void ModelEditor::onSessionChanged(const SessionChange& change) {
    ++revision_;
    if (change.kind == SessionChange::Kind::Pushed && !showing_) {
        const EditStep& step = session_.steps().back();
        showing_ = true;  // push() calls the command's redo(), which knows it is done
        stack_->push(new TensorEditCommand(change.version - 1, QString::fromStdString(step.summary),
                                           [this](std::size_t v) { goTo(v); }));
        showing_ = false;
    } else if (change.kind == SessionChange::Kind::Moved && !stackMoving_) {
        showSessionVersion();  // moved by restore(), not by the stack
    } else if (change.kind == SessionChange::Kind::Saved &&
               stack_->index() == int(change.version)) {
        stack_->setClean();
    }
    followInJournal(change);
    Q_EMIT tensorsChanged(toQSet(change.tensors));
    if (wasModified_ != isModified()) {
        wasModified_ = isModified();
        Q_EMIT modifiedChanged(wasModified_);
    }
}

void ModelEditor::goTo(std::size_t version) {
    if (showing_) return;
    QString why = editBlockedBecause();
    if (why.isEmpty()) {
        stackMoving_ = true;
        try {
            session_.revertTo(version);
        } catch (const std::exception& e) {
            why = QString::fromStdString(e.what());
        } catch (...) {  // called from QUndoStack: nothing may escape into Qt
            why = tr("unknown error");
        }
        stackMoving_ = false;
    }
    if (why.isEmpty()) return;
    // The session did not move. The stack sets its index when this returns; it is put back to
    // the session's version afterwards, so it never shows a state the model is not in.
    QMetaObject::invokeMethod(this, &ModelEditor::showSessionVersion, Qt::QueuedConnection);
    Q_EMIT undoRefused(
        tr("Undo/redo failed: %1. The model and its history are unchanged.").arg(why));
}

void ModelEditor::showSessionVersion() {
    if (stack_->index() == int(session_.version())) return;
    showing_ = true;
    stack_->setIndex(int(session_.version()));
    showing_ = false;
}

void ModelEditor::followInJournal(const SessionChange& change) {
    if (replaying_) return;
    if (!journal_) {
        ensureJournal();  // written with the whole history as it is now
        return;
    }
    try {
        switch (change.kind) {
            case SessionChange::Kind::Pushed:
                journal_->push(session_.steps().back(), session_.model());
                break;
            case SessionChange::Kind::Moved:
                journal_->moveTo(change.version);
                break;
            case SessionChange::Kind::Saved:
                journal_->saved(describeSource(filePath_.toStdString()), change.version,
                                session_.model());
                break;
        }
    } catch (const std::exception& e) {
        qWarning("%s", e.what());
        dropJournal();
        journalBroken_ = true;
    }
}

void ModelEditor::ensureJournal() {
    if (journal_ || journalBroken_ || replaying_ || !session_.unsavedChanges()) return;
    // The journal replays from the file as saved: it needs the version that file holds.
    const std::size_t saved = session_.savedVersion();
    if (saved == EditSession::kNoVersion) return;
    try {
        journal_ = std::make_unique<EditJournal>(newJournalFile(journalDirectory()),
                                                 describeSource(filePath_.toStdString()), saved);
        for (const EditStep& step : session_.steps()) journal_->push(step, session_.model());
        if (session_.version() != session_.lastVersion()) journal_->moveTo(session_.version());
    } catch (const std::exception& e) {
        qWarning("edit journal disabled: %s", e.what());
        dropJournal();
        journalBroken_ = true;
    }
}

void ModelEditor::dropJournal() {
    if (journal_) journal_->remove();
    journal_.reset();
}

QString ModelEditor::save(const QString& path) {
    // The journal learns first which file is being written: a crash before the rename leaves a
    // temporary file beside it that the next start removes (journal_restore.h), and one after
    // the rename leaves a file that holds this version.
    if (journal_) {
        try {
            journal_->saveStarted(path.toStdString(), session_.version());
        } catch (const std::exception& e) {
            qWarning("%s", e.what());
            dropJournal();
            journalBroken_ = true;
        }
    }
    try {
        saveModel(session_.model(), path.toStdString());
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    filePath_ = path;
    if (!journal_) journalBroken_ = false;  // a new file, a new chance
    session_.markSaved();  // the stack shows it clean, the journal records it, the marks go
    return {};
}

std::vector<Region> ModelEditor::unsavedRegions(const std::string& tensorPath) const {
    std::vector<Region> out;
    for (const EditStep* s : session_.unsavedSteps())
        for (const EditPart& p : s->parts)
            if (p.path == tensorPath) out.push_back(p.box);
    return out;
}

QSet<QString> ModelEditor::unsavedTensors() const {
    QSet<QString> out;
    for (const EditStep* s : session_.unsavedSteps())
        for (const EditPart& p : s->parts) out.insert(QString::fromStdString(p.path));
    return out;
}

QString ModelEditor::restore(const JournalState& journal) {
    if (session_.lastVersion() > 0) return tr("the model already has edits");
    replaying_ = true;
    try {
        replayJournal(session_, journal);
    } catch (const std::exception& e) {
        replaying_ = false;
        return QString::fromStdString(e.what());
    } catch (...) {
        replaying_ = false;
        return tr("the edits could not be replayed");
    }
    replaying_ = false;
    // The stack shows the saved version as its clean one (setClean() marks the current index).
    showing_ = true;
    if (session_.savedVersion() != EditSession::kNoVersion) {
        stack_->setIndex(int(session_.savedVersion()));
        stack_->setClean();
    } else {
        stack_->resetClean();
    }
    stack_->setIndex(int(session_.version()));
    showing_ = false;
    wasModified_ = isModified();
    Q_EMIT modifiedChanged(wasModified_);
    ensureJournal();
    return {};
}

}  // namespace ws::ui
