// SPDX-License-Identifier: GPL-3.0-or-later
#include "histogram/stats_panel.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>

namespace ws::ui {

namespace {

const char* const kRows[] = {"elements", "min", "max", "mean", "std", "L2", "zeros", "NaN", "Inf"};

QString number(double v) { return QString::number(v, 'g', 7); }

}  // namespace

StatsPanel::StatsPanel(QWidget* parent) : QWidget(parent) {
    auto* form = new QFormLayout(this);
    for (const char* name : kRows) {
        auto* label = new QLabel(this);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setObjectName(QString::fromLatin1(name));
        form->addRow(QString::fromLatin1(name) + QLatin1Char(':'), label);
        labels_.insert(QString::fromLatin1(name), label);
    }
}

void StatsPanel::clear() {
    stats_ = {};
    for (QLabel* l : labels_) l->clear();
}

void StatsPanel::setStatistics(const TensorStats& s) {
    stats_ = s;
    const QLocale loc;
    labels_["elements"]->setText(loc.toString(qlonglong(s.count)));
    const bool any = s.finite > 0;
    labels_["min"]->setText(any ? number(s.min) : QStringLiteral("-"));
    labels_["max"]->setText(any ? number(s.max) : QStringLiteral("-"));
    labels_["mean"]->setText(any ? number(s.mean) : QStringLiteral("-"));
    labels_["std"]->setText(any ? number(s.std) : QStringLiteral("-"));
    labels_["L2"]->setText(any ? number(s.l2) : QStringLiteral("-"));
    labels_["zeros"]->setText(
        QStringLiteral("%1 (%2 %)")
            .arg(loc.toString(qlonglong(s.zeros)))
            .arg(s.count ? 100.0 * double(s.zeros) / double(s.count) : 0.0, 0, 'f', 2));
    labels_["NaN"]->setText(loc.toString(qlonglong(s.nan)));
    labels_["Inf"]->setText(loc.toString(qlonglong(s.inf)));
}

QString StatsPanel::valueText(const QString& name) const {
    QLabel* l = labels_.value(name);
    return l ? l->text() : QString();
}

}  // namespace ws::ui
