// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The core's messages are written for both programs and name the command-line flags that
// settle a problem ("give it with --input-shape"). In the app those flags do not exist: this
// rewrites such a message to name the app's own fields and menu items instead.
#include <QString>

namespace ws::ui {

// `message` with every command-line flag the core quotes replaced by what the app offers.
QString inGuiWords(const QString& message);

}  // namespace ws::ui
