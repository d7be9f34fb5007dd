// SPDX-License-Identifier: GPL-3.0-or-later
#include "heatmap/data_colors.h"

#include "plot/custom_plot.h"

namespace ws::ui {

QCPColorGradient divergingGradient() {
    QCPColorGradient g;
    g.clearColorStops();
    // ColorBrewer RdBu (reversed so that negative is blue), 7 classes.
    g.setColorStopAt(0.0, QColor(0x21, 0x66, 0xac));
    g.setColorStopAt(1.0 / 6, QColor(0x67, 0xa9, 0xcf));
    g.setColorStopAt(2.0 / 6, QColor(0xd1, 0xe5, 0xf0));
    g.setColorStopAt(0.5, QColor(0xf7, 0xf7, 0xf7));
    g.setColorStopAt(4.0 / 6, QColor(0xfd, 0xdb, 0xc7));
    g.setColorStopAt(5.0 / 6, QColor(0xef, 0x8a, 0x62));
    g.setColorStopAt(1.0, QColor(0xb2, 0x18, 0x2b));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(nanColor());
    return g;
}

QCPColorGradient infinityGradient() {
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, negInfColor());
    g.setColorStopAt(1.0, posInfColor());
    g.setLevelCount(2);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

}  // namespace ws::ui
