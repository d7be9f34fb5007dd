// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Makes QCustomPlot follow the application palette (light or dark desktop) instead of its
// built-in white background and black axes.
#include <QPalette>

class QCustomPlot;
class QCPAxis;

namespace ws::ui {

void applyPalette(QCustomPlot* plot, const QPalette& palette);
void styleAxis(QCPAxis* axis, const QPalette& palette);

}  // namespace ws::ui
