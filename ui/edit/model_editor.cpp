// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/model_editor.h"

#include <QUndoStack>
#include <algorithm>
#include <exception>

#include "edit/model_reads.h"
#include "edit/tensor_edit_command.h"
#include "inspect/latest_job.h"
#include "save/save_model.h"

namespace ws::ui {

void waitForViewReaders() { viewThreadPool()->waitForDone(); }

ModelEditor::ModelEditor(std::shared_ptr<Model> model, const QString& sourcePath, QObject* parent)
    : QObject(parent), session_(std::move(model)), filePath_(sourcePath) {
    stack_ = new QUndoStack(this);
    connect(stack_, &QUndoStack::indexChanged, this, &ModelEditor::onStackIndexChanged);
    connect(stack_, &QUndoStack::cleanChanged, this,
            [this](bool clean) { Q_EMIT modifiedChanged(!clean); });
    connect(ModelReads::instance(), &ModelReads::changed, this, [this](const Model* m) {
        if (m == this->model().get()) Q_EMIT readsChanged();
    });
}

ModelEditor::~ModelEditor() { dropJournal(); }

bool ModelEditor::isModified() const { return !stack_->isClean(); }

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
    std::vector<EditResult> results;
    waitForViewReaders();
    try {
        // All or nothing, and a refusal partway keeps the redo steps (the session's and so the
        // stack's and the journal's): nothing about the history changes.
        results = session_.applyAll(edits);
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    } catch (...) {  // called from action lambdas: nothing may escape into Qt
        return tr("the edit failed");
    }
    std::string summary = label.toStdString();
    if (summary.empty())
        summary = results.size() == 1 ? results.front().summary
                                      : std::to_string(results.size()) + " edits";
    auto entry = std::make_shared<const JournalEntry>(journalEntry(summary, results));
    results.clear();  // the step's bytes live in the session and in `entry` only
    ensureJournal();
    if (journal_) {
        try {
            journal_->push(*entry);
        } catch (const std::exception& e) {
            qWarning("%s", e.what());
            journal_.reset();
            journalBroken_ = true;
        }
    }
    stack_->push(newCommand(entry));
    notify(*entry, {});
    return {};
}

TensorEditCommand* ModelEditor::newCommand(std::shared_ptr<const JournalEntry> entry) {
    return new TensorEditCommand(
        session_, std::move(entry),
        [this](const JournalEntry& e, const std::string& failure) { notify(e, failure); });
}

void ModelEditor::notify(const JournalEntry& entry, const std::string& failure) {
    QSet<QString> paths;
    for (const JournalPart& p : entry.parts) paths.insert(QString::fromStdString(p.path));
    Q_EMIT tensorsChanged(paths);
    if (failure.empty()) return;
    // The stack is inside undo()/redo() now and must not be cleared from here.
    const QString why =
        tr("Undo/redo of \"%1\" failed: %2. The edit history was cleared; the "
           "model keeps its current values, unsaved.")
            .arg(QString::fromStdString(entry.summary), QString::fromStdString(failure));
    QMetaObject::invokeMethod(
        this, [this, why] { dropHistory(why); }, Qt::QueuedConnection);
}

void ModelEditor::dropHistory(const QString& why) {
    // The model is partly undone or redone: neither the stack nor the session nor the journal
    // describes it any more. Keep the values (they may hold work), forget the history, and keep
    // the state "modified" so that closing asks about saving. The journal could not replay
    // this state, so it goes too, and none is started again before a save.
    replaying_ = true;
    stack_->clear();
    stack_->resetClean();
    replaying_ = false;
    session_.clearHistory();
    dropJournal();
    journalBroken_ = true;
    Q_EMIT modifiedChanged(true);
    Q_EMIT historyLost(why);
}

void ModelEditor::onStackIndexChanged(int index) {
    if (replaying_) return;
    if (stack_->isClean()) {
        dropJournal();  // the file on disk holds exactly this state
        return;
    }
    ensureJournal();
    if (!journal_) return;
    try {
        journal_->setIndex(std::size_t(index));
    } catch (const std::exception& e) {
        qWarning("%s", e.what());
        journal_.reset();
        journalBroken_ = true;
    }
}

void ModelEditor::ensureJournal() {
    if (journal_ || journalBroken_ || replaying_) return;
    // The journal replays from the file as saved: it needs the step that file holds.
    if (stack_->cleanIndex() < 0) return;
    std::vector<JournalEntry> steps;  // a copy only while the new file is written
    for (int i = 0; i < stack_->count(); ++i)
        if (auto* c = dynamic_cast<const TensorEditCommand*>(stack_->command(i)))
            steps.push_back(c->entry());
    try {
        journal_ = std::make_unique<EditJournal>(
            newJournalFile(journalDirectory()), describeSource(filePath_.toStdString()),
            std::size_t(stack_->cleanIndex()), steps, std::size_t(stack_->index()));
    } catch (const std::exception& e) {
        qWarning("edit journal disabled: %s", e.what());
        journalBroken_ = true;
    }
}

void ModelEditor::dropJournal() {
    if (journal_) journal_->remove();
    journal_.reset();
}

QString ModelEditor::save(const QString& path) {
    try {
        saveModel(session_.model(), path.toStdString());
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    const QSet<QString> wasUnsaved = unsavedTensors();
    filePath_ = path;
    stack_->setClean();
    session_.markSaved();
    dropJournal();
    journalBroken_ = false;             // a new file, a new chance
    Q_EMIT tensorsChanged(wasUnsaved);  // their "unsaved" marks go
    return {};
}

std::vector<const JournalEntry*> ModelEditor::unsavedEntries() const {
    const int clean = stack_->cleanIndex(), index = stack_->index();
    const int from = clean < 0 ? 0 : std::min(clean, index);
    const int to = clean < 0 ? stack_->count() : std::max(clean, index);
    std::vector<const JournalEntry*> out;
    for (int i = from; i < to; ++i)
        if (auto* c = dynamic_cast<const TensorEditCommand*>(stack_->command(i)))
            out.push_back(&c->entry());
    return out;
}

std::vector<Region> ModelEditor::unsavedRegions(const std::string& tensorPath) const {
    std::vector<Region> out;
    for (const JournalEntry* e : unsavedEntries())
        for (const JournalPart& p : e->parts)
            if (p.path == tensorPath) out.push_back(p.box);
    return out;
}

QSet<QString> ModelEditor::unsavedTensors() const {
    QSet<QString> out;
    for (const JournalEntry* e : unsavedEntries())
        for (const JournalPart& p : e->parts) out.insert(QString::fromStdString(p.path));
    return out;
}

QString ModelEditor::restore(const JournalState& journal) {
    if (stack_->count() > 0) return tr("the model already has edits");
    QSet<QString> touched;
    replaying_ = true;
    waitForViewReaders();
    try {
        rewindToBase(session_.model(), journal);
        std::size_t pushes = 0;
        for (const JournalOp& op : journal.ops) {
            if (op.kind == JournalOp::Kind::Index) {
                stack_->setIndex(int(op.index));
                continue;
            }
            for (const JournalPart& part : op.entry.parts) {
                session_.apply(restoreEdit(part, true));
                touched.insert(QString::fromStdString(part.path));
            }
            stack_->push(newCommand(std::make_shared<const JournalEntry>(op.entry)));
            if (++pushes == journal.saved) stack_->setClean();
        }
    } catch (const std::exception& e) {
        replaying_ = false;
        return QString::fromStdString(e.what());
    } catch (...) {
        replaying_ = false;
        return tr("the edits could not be replayed");
    }
    replaying_ = false;
    if (!stack_->isClean()) ensureJournal();
    Q_EMIT tensorsChanged(touched);
    Q_EMIT modifiedChanged(isModified());
    return {};
}

}  // namespace ws::ui
