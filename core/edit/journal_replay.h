// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Puts a crash journal's history back into a session on a freshly opened model (the journal's
// source file): the file is taken back to the state the journal started from, its bytes are
// checked against the journal, and every step is replayed, so the session ends with the same
// history, version and saved version as the session that wrote the journal.
#include "edit/edit_journal.h"
#include "edit/edit_session.h"

namespace ws {

// `session` must have no history. The file may hold the state of the last completed save, or
// that of an unfinished save to the same path whose rename happened before the crash: both are
// tried. The content check: each edited storage must match its fingerprint (the file of the
// last completed save), and the regions a step wrote must hold its bytes (after bytes when
// taking the file's steps back, before bytes when replaying); size and modification time are
// not trusted. Throws
// FormatError naming what differs ("... the file is not the one the edits were made to"); the
// model may then be partly written: reopen it.
void replayJournal(EditSession& session, const JournalState& journal);

}  // namespace ws
