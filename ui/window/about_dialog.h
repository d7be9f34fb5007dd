// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Help > About Weightsmith: the version and its release date, the licence, the formats the app
// reads, the Qt, HDF5 and QCustomPlot versions it runs with, and the third-party libraries
// with their licences. Everything comes from core/about (project(VERSION) and
// packaging/licenses.json), as does `weightsmith-cli --version --verbose`.
#include <QDialog>

class QTextBrowser;

namespace ws::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
  public:
    explicit AboutDialog(QWidget* parent = nullptr);

    // What the dialog shows, as plain text (tests).
    QString plainText() const;

    // The dialog's content as HTML.
    static QString html();

  private:
    QTextBrowser* text_ = nullptr;
};

}  // namespace ws::ui
