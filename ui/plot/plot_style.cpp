// SPDX-License-Identifier: GPL-3.0-or-later
#include "plot/plot_style.h"

#include "plot/custom_plot.h"

namespace ws::ui {

void styleAxis(QCPAxis* axis, const QPalette& palette) {
    const QColor fg = palette.color(QPalette::WindowText);
    QColor grid = fg;
    grid.setAlpha(40);
    axis->setBasePen(QPen(fg));
    axis->setTickPen(QPen(fg));
    axis->setSubTickPen(QPen(fg));
    axis->setTickLabelColor(fg);
    axis->setLabelColor(fg);
    axis->grid()->setPen(QPen(grid, 0, Qt::DotLine));
}

void applyPalette(QCustomPlot* plot, const QPalette& palette) {
    plot->setBackground(palette.brush(QPalette::Window));
    for (QCPAxisRect* rect : plot->axisRects()) {
        rect->setBackground(palette.brush(QPalette::Base));
        for (QCPAxis* axis : rect->axes()) styleAxis(axis, palette);
    }
    for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
        if (auto* scale = qobject_cast<QCPColorScale*>(plot->plotLayout()->elementAt(i)))
            styleAxis(scale->axis(), palette);
}

}  // namespace ws::ui
