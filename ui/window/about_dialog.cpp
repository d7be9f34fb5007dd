// SPDX-License-Identifier: GPL-3.0-or-later
#include "window/about_dialog.h"

#include <QDialogButtonBox>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "about/about.h"
#include "plot/custom_plot.h"

namespace ws::ui {

namespace {

QString esc(const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); }

QString row(const QStringList& cells) {
    QString out = QStringLiteral("<tr>");
    for (const QString& c : cells)
        out += QStringLiteral("<td style=\"padding-right: 12px\">%1</td>").arg(c);
    return out + QStringLiteral("</tr>");
}

}  // namespace

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("About Weightsmith"));
    setObjectName(QStringLiteral("aboutDialog"));
    text_ = new QTextBrowser(this);
    text_->setObjectName(QStringLiteral("aboutText"));
    text_->setOpenExternalLinks(true);
    text_->setHtml(html());
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(text_);
    layout->addWidget(buttons);
    resize(760, 620);
}

QString AboutDialog::plainText() const { return text_->toPlainText(); }

QString AboutDialog::html() {
    const about::Project& p = about::project();
    QString h;
    h += QStringLiteral("<h2>%1 %2</h2>").arg(esc(p.name), esc(about::version()));
    h += QStringLiteral("<p>Inspect and edit neural-network weight files. Released %1.<br>")
             .arg(esc(about::releaseDate()));
    h += QStringLiteral("<a href=\"%1\">%1</a></p>").arg(esc(p.homepage));
    h += QStringLiteral(
             "<p>Copyright %1<br>License %2: GNU General Public License, version 3 or (at your "
             "option) any later version. This is free software: you are free to change and "
             "redistribute it. There is NO WARRANTY, to the extent permitted by law.</p>")
             .arg(esc(p.copyright), esc(p.license));

    h += QStringLiteral("<h3>Reads</h3><table>");
    for (const about::Format& f : about::formatsRead())
        h += row({QStringLiteral("<b>%1</b>").arg(esc(f.name)), esc(f.extensions), esc(f.what)});
    h += QStringLiteral("</table>");

    h += QStringLiteral("<h3>Runs with</h3><table>");
    h += row({QStringLiteral("Qt"), QString::fromLatin1(qVersion()),
              QStringLiteral("built with %1").arg(QStringLiteral(QT_VERSION_STR))});
    h += row({QStringLiteral("HDF5"), esc(about::hdf5Version()), QString()});
    h += row({QStringLiteral("QCustomPlot"), QStringLiteral(QCUSTOMPLOT_VERSION_STR),
              QStringLiteral("the headers built with (it reports no run-time version)")});
    h += row({QStringLiteral("zlib"), esc(about::zlibVersion()), QString()});
    h += row({QStringLiteral("nlohmann-json"), esc(about::jsonVersion()),
              QStringLiteral("compiled in")});
    h += QStringLiteral("</table>");

    h += QStringLiteral("<h3>Third-party libraries</h3><table>");
    h += row({QStringLiteral("<i>library</i>"), QStringLiteral("<i>licence</i>"),
              QStringLiteral("<i>used for</i>")});
    for (const about::Library& lib : about::libraries())
        h += row({QStringLiteral("<a href=\"%1\">%2</a>").arg(esc(lib.url), esc(lib.name)),
                  esc(lib.license), esc(lib.what)});
    h += QStringLiteral(
        "</table><p>Their copyright notices and licence texts are in each library's Debian "
        "package and, for Weightsmith's packages, in /usr/share/doc/weightsmith/copyright.</p>");
    return h;
}

}  // namespace ws::ui
