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

namespace ws::ui {

namespace {

struct LeftoverJournal {
    std::string file;
    JournalState state;
    std::vector<std::string> older;  // earlier journals of the same source, superseded by this
};

// The newest leftover journal of each source file (a file edited in two sessions that both
// crashed has two): only that one is worth offering, the others are stale.
std::vector<LeftoverJournal> newestJournalPerSource() {
    std::vector<LeftoverJournal> out;
    for (const std::string& file : leftoverJournals(journalDirectory())) {  // oldest first
        JournalState state;
        try {
            state = readJournal(file);
        } catch (const std::exception& e) {
            qWarning("ignoring edit journal: %s", e.what());
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

}  // namespace

std::vector<RestoreRequest> askWhichJournalsToRestore(QWidget* parent) {
    std::vector<RestoreRequest> out;
    for (const LeftoverJournal& found : newestJournalPerSource()) {
        const QString journal = QString::fromStdString(found.file);
        const JournalState& state = found.state;
        const QString source = QString::fromStdString(state.source.path);
        const QString name = QFileInfo(source).fileName();
        QMessageBox box(parent);
        box.setObjectName(QStringLiteral("journalRestoreBox"));
        box.setIcon(QMessageBox::Question);
        box.setWindowTitle(QObject::tr("Unsaved edits found"));
        QPushButton* restore = nullptr;
        if (sourceUnchanged(state.source)) {
            box.setText(QObject::tr("Weightsmith did not close normally while %1 had unsaved "
                                    "edits (%2 of %3 undo steps applied).\n\nRestore them?")
                            .arg(name)
                            .arg(state.index)
                            .arg(state.stepCount));
            const QString last = state.index > 0
                                     ? QString::fromStdString(state.stepSummaries[state.index - 1])
                                     : QObject::tr("(all undone)");
            box.setInformativeText(
                QObject::tr("File: %1\nLast applied edit: %2").arg(source, last));
            restore = box.addButton(QObject::tr("Restore"), QMessageBox::AcceptRole);
            restore->setObjectName(QStringLiteral("restoreButton"));
        } else {
            box.setText(QObject::tr("Weightsmith did not close normally while %1 had unsaved "
                                    "edits, but the file has changed since (or is gone), so "
                                    "they cannot be applied to it safely.")
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
        if (!sourceUnchanged(state.source))
            return QObject::tr("%1 has changed since the edits were made")
                .arg(QString::fromStdString(state.source.path));
        const QString why = editor->restore(state);
        if (!why.isEmpty()) return why;
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
    QFile::remove(journalFile);
    return {};
}

}  // namespace ws::ui
