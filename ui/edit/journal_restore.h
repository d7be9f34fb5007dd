// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The start-up side of the crash journal: finding journals left by a Weightsmith that did not
// exit (its process is gone), asking whether to restore each, and replaying an accepted one
// into the freshly reopened model.
#include <QString>
#include <vector>

class QWidget;

namespace ws::ui {

class ModelEditor;

struct RestoreRequest {
    QString sourceFile;   // the model file to open
    QString journalFile;  // the edits to replay into it
};

// Asks about the newest leftover journal of each source file (one message box each: Restore /
// Discard / Not Now). Discarded journals are deleted, "Not Now" ones stay for the next start;
// after Restore or Discard the older journals of that file are deleted too.
std::vector<RestoreRequest> askWhichJournalsToRestore(QWidget* parent);

// Replays a journal into the editor of the model just opened from its source; on success the
// old journal file is deleted (the editor has written a fresh one). Returns "" or the reason.
QString restoreJournal(ModelEditor* editor, const QString& journalFile);

}  // namespace ws::ui
