// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit/journal_restore.h"

#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <algorithm>
#include <exception>
#include <string>

#include "edit/edit_journal.h"
#include "edit/model_editor.h"
#include "io/atomic_file.h"

namespace ws::ui {

namespace {

struct LeftoverJournal {
    std::string file;
    JournalState state;
    std::vector<std::string> older;  // earlier journals of the same source, superseded by this
};

// A save the journal saw start and not finish left its temporary file beside the target:
// removed here, and named in `removed` for the user.
void removeInterruptedSave(const JournalState& state, QStringList& removed) {
    if (!state.saveUnfinished) return;
    for (const std::string& temp : leftoverTemporaryFiles(state.unfinishedTarget))
        if (QFile::remove(QString::fromStdString(temp))) removed << QString::fromStdString(temp);
}

// The newest leftover journal with unsaved edits of each source file (a file edited in two
// sessions that both crashed has two): only that one is worth offering, the others are stale.
// Journals with nothing unsaved (the process died after a save) are removed.
std::vector<LeftoverJournal> newestJournalPerSource(QStringList& removedTemporaries) {
    std::vector<LeftoverJournal> out;
    for (const std::string& file : leftoverJournals(journalDirectory())) {  // oldest first
        JournalState state;
        try {
            state = readJournal(file);
        } catch (const std::exception& e) {
            qWarning("ignoring edit journal: %s", e.what());
            continue;
        }
        removeInterruptedSave(state, removedTemporaries);
        if (!state.unsaved() && !state.saveUnfinished) {
            QFile::remove(QString::fromStdString(file));
            continue;
        }
        auto same = std::find_if(out.begin(), out.end(), [&](const LeftoverJournal& j) {
            return j.state.source.path == state.source.path;
        });
        if (same == out.end()) {
            out.push_back({file, std::move(state), {}});
            continue;
        }
        same->older.push_back(same->file);
        same->file = file;
        same->state = std::move(state);
    }
    return out;
}

void tellAboutRemovedTemporaries(QWidget* parent, const QStringList& removed) {
    if (removed.isEmpty()) return;
    QMessageBox box(parent);
    box.setObjectName(QStringLiteral("interruptedSaveBox"));
    box.setIcon(QMessageBox::Information);
    box.setWindowTitle(QObject::tr("Interrupted save cleaned up"));
    box.setText(
        QObject::tr("Weightsmith did not close normally while saving. The unfinished "
                    "temporary files it left were removed; the files they were for "
                    "are as they were before or after that save, never half written."));
    box.setInformativeText(removed.join(QLatin1Char('\n')));
    box.exec();
}

}  // namespace

std::vector<RestoreRequest> askWhichJournalsToRestore(QWidget* parent) {
    std::vector<RestoreRequest> out;
    QStringList removedTemporaries;
    const std::vector<LeftoverJournal> leftovers = newestJournalPerSource(removedTemporaries);
    tellAboutRemovedTemporaries(parent, removedTemporaries);
    for (const LeftoverJournal& found : leftovers) {
        const QString journal = QString::fromStdString(found.file);
        const JournalState& state = found.state;
        const QString source = QString::fromStdString(state.source.path);
        const QString name = QFileInfo(source).fileName();
        QMessageBox box(parent);
        box.setObjectName(QStringLiteral("journalRestoreBox"));
        box.setIcon(QMessageBox::Question);
        box.setWindowTitle(QObject::tr("Unsaved edits found"));
        QPushButton* restore = nullptr;
        // Whether the file is still the one the edits were made to is decided by its bytes
        // when restoring (edit/journal_replay.h), not by its size and time here.
        if (QFileInfo::exists(source)) {
            box.setText(QObject::tr("Weightsmith did not close normally while %1 had unsaved "
                                    "edits (%2 of %3 undo steps applied).\n\nRestore them?")
                            .arg(name)
                            .arg(state.index)
                            .arg(state.stepCount));
            const QString last = state.index > 0
                                     ? QString::fromStdString(state.step(state.index - 1).summary)
                                     : QObject::tr("(all undone)");
            box.setInformativeText(
                QObject::tr("File: %1\nLast applied edit: %2").arg(source, last));
            restore = box.addButton(QObject::tr("Restore"), QMessageBox::AcceptRole);
            restore->setObjectName(QStringLiteral("restoreButton"));
        } else {
            box.setText(QObject::tr("Weightsmith did not close normally while %1 had unsaved "
                                    "edits, but the file is gone, so they cannot be applied.")
                            .arg(name));
            box.setInformativeText(QObject::tr("File: %1").arg(source));
        }
        QPushButton* discard = box.addButton(QObject::tr("Discard"), QMessageBox::DestructiveRole);
        discard->setObjectName(QStringLiteral("discardButton"));
        QPushButton* later = box.addButton(QObject::tr("Not Now"), QMessageBox::RejectRole);
        later->setObjectName(QStringLiteral("laterButton"));
        box.setDefaultButton(restore ? restore : later);
        box.exec();
        if (restore && box.clickedButton() == restore)
            out.push_back({source, journal});
        else if (box.clickedButton() == discard)
            QFile::remove(journal);
        else
            continue;  // Not Now: everything stays for the next start
        for (const std::string& old : found.older) QFile::remove(QString::fromStdString(old));
    }
    return out;
}

QString restoreJournal(ModelEditor* editor, const QString& journalFile) {
    try {
        const JournalState state = readJournal(journalFile.toStdString());
        const QString why = editor->restore(state);
        if (!why.isEmpty()) return why;
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    QFile::remove(journalFile);
    return {};
}

}  // namespace ws::ui
