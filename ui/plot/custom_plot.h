// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Include QCustomPlot through this header only. qcustomplot.h uses the `signals`, `slots`,
// `emit` and `foreach` keywords that QT_NO_KEYWORDS (set project-wide so Qt never clashes
// with other libraries) switches off; they are defined for its declarations and removed after.
#if !defined(signals) && !defined(slots) && !defined(emit) && !defined(foreach)
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define emit Q_EMIT
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef emit
#undef foreach
#else
#include <qcustomplot.h>
#endif
