// SPDX-License-Identifier: GPL-3.0-or-later
#include "window/help_dialogs.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

// The resources live in the static weightsmith_ui library, whose initialiser the linker drops
// unless something refers to it.
static void initUiResources() { Q_INIT_RESOURCE(weightsmith); }

namespace ws::ui {

namespace {

QDialog* newHelpDialog(QWidget* parent, const QString& title, const QString& name) {
    auto* dialog = new QDialog(parent);
    dialog->setObjectName(name);
    dialog->setWindowTitle(title);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->resize(620, 560);
    return dialog;
}

void addCloseButton(QDialog* dialog) {
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    dialog->layout()->addWidget(buttons);
}

// The menus' actions with shortcuts, in menu order, as (action, keys) rows.
void collectShortcuts(const QMenu* menu, QList<QPair<QString, QString>>& rows) {
    for (const QAction* a : menu->actions()) {
        if (a->menu()) {
            collectShortcuts(a->menu(), rows);
            continue;
        }
        if (a->shortcuts().isEmpty()) continue;
        QStringList keys;
        for (const QKeySequence& k : a->shortcuts()) keys << k.toString(QKeySequence::NativeText);
        rows.append({QString(a->text()).remove(QLatin1Char('&')).remove(QStringLiteral("...")),
                     keys.join(QStringLiteral(", "))});
    }
}

}  // namespace

void showKeyboardShortcuts(QMainWindow* window) {
    QList<QPair<QString, QString>> rows;
    for (const QAction* a : window->menuBar()->actions())
        if (a->menu()) collectShortcuts(a->menu(), rows);
    // Keys of the views themselves, which no menu lists.
    rows.append({QObject::tr("Clear the tree filter"), QObject::tr("Escape (in the filter)")});
    rows.append({QObject::tr("Edit a value"), QObject::tr("Double-click or F2, then Enter")});
    rows.append({QObject::tr("Copy selected values as TSV"), QObject::tr("Ctrl+C (in Values)")});
    QDialog* dialog =
        newHelpDialog(window, QObject::tr("Keyboard shortcuts"), QStringLiteral("shortcutsDialog"));
    auto* layout = new QVBoxLayout(dialog);
    auto* table = new QTableWidget(int(rows.size()), 2, dialog);
    table->setHorizontalHeaderLabels({QObject::tr("Action"), QObject::tr("Keys")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (int r = 0; r < rows.size(); ++r) {
        table->setItem(r, 0, new QTableWidgetItem(rows[r].first));
        table->setItem(r, 1, new QTableWidgetItem(rows[r].second));
    }
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->resizeColumnToContents(1);
    layout->addWidget(table);
    addCloseButton(dialog);
    dialog->show();
}

void showUserGuide(QWidget* parent) {
    QDialog* dialog = newHelpDialog(parent, QObject::tr("Weightsmith user guide"),
                                    QStringLiteral("userGuideDialog"));
    auto* layout = new QVBoxLayout(dialog);
    auto* text = new QTextBrowser(dialog);
    initUiResources();
    QFile guide(QStringLiteral(":/weightsmith/docs/user-guide.md"));
    text->setMarkdown(guide.open(QIODevice::ReadOnly) ? QString::fromUtf8(guide.readAll())
                                                      : QObject::tr("The guide is missing."));
    layout->addWidget(text);
    addCloseButton(dialog);
    dialog->show();
}

}  // namespace ws::ui
