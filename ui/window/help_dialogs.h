// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Help menu content: the keyboard shortcuts (read from the window's own actions, so the list
// cannot drift from what the keys do), the user guide shipped inside the program (About is
// AboutDialog).
class QMainWindow;
class QWidget;

namespace ws::ui {

void showKeyboardShortcuts(QMainWindow* window);
void showUserGuide(QWidget* parent);

}  // namespace ws::ui
