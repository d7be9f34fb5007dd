// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The data colormap: diverging blue-white-red centred at 0, plus colours reserved for values
// that have no place on it. These are the only hard-coded colours in the UI: they encode data,
// so they must not change with the desktop theme.
#include <QColor>

class QCPColorGradient;

namespace ws::ui {

QCPColorGradient divergingGradient();  // negative blue, 0 white, positive red (ColorBrewer RdBu)
QCPColorGradient infinityGradient();   // -1 -> -Inf colour, +1 -> +Inf colour, NaN transparent

inline QColor nanColor() { return QColor(0x00, 0xc8, 0x3c); }     // green: off the blue-red axis
inline QColor posInfColor() { return QColor(0xff, 0xd7, 0x00); }  // gold
inline QColor negInfColor() { return QColor(0x7b, 0x1f, 0xa2); }  // purple

}  // namespace ws::ui
