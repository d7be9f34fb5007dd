#include "edit/journal_restore.h"

#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <exception>

#include "edit/edit_journal.h"
#include "edit/model_editor.h"

namespace ws::ui {

std::vector<RestoreRequest> askWhichJournalsToRestore(QWidget* parent) {
    std::vector<RestoreRequest> out;
    for (const std::string& file : leftoverJournals(journalDirectory())) {
        const QString journal = QString::fromStdString(file);
        JournalState state;
        try {
            state = readJournal(file);
        } catch (const std::exception& e) {
            qWarning("ignoring edit journal: %s", e.what());
            continue;
        }
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
