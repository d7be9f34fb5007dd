// SPDX-License-Identifier: GPL-3.0-or-later
// The app speaks of its own fields and menus, never of the command line's flags: every flag
// a core message can quote is reworded before the app shows it, and the app's own strings
// name none. And Enter in the Transfer dialog's Template field loads the template without
// also pressing Browse.
#include <QDirIterator>
#include <QFileDialog>
#include <QLineEdit>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTimer>

#include "formats/open_model.h"
#include "text/gui_wording.h"
#include "transfer/transfer_dialog.h"
#include "ui_test_support.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

// A command-line flag as users type it: two dashes, then a lower-case word.
const QRegularExpression kFlag(QStringLiteral(R"((?<![\w-])--[a-z][a-z-]*)"));

QString sourceRoot() { return QDir(formatsTestDir()).absoluteFilePath(QStringLiteral("../..")); }

// Every string literal (one piece: adjacent literals are separate) of the C++ files under dir,
// as "file:line: text".
QStringList literalsNamingAFlag(const QString& dir) {
    // Not through QStringLiteral: GCC misreads a raw string with quotes inside a macro argument.
    static const char* const pattern = R"re("((?:[^"\\\n]|\\.)*)")re";
    static const QRegularExpression literal(QString::fromLatin1(pattern));
    QStringList out;
    QDirIterator it(QDir(sourceRoot()).filePath(dir),
                    {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        // The rewording table names the flags it rewords; that is its job.
        if (path.endsWith(QStringLiteral("/gui_wording.cpp"))) continue;
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) continue;
        int line = 0;
        for (const QString& text : QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'))) {
            ++line;
            if (text.trimmed().startsWith(QStringLiteral("//"))) continue;
            for (auto m = literal.globalMatch(text); m.hasNext();) {
                const QString piece = m.next().captured(1);
                if (piece.contains(kFlag))
                    out << QStringLiteral("%1:%2: %3").arg(path).arg(line).arg(piece);
            }
        }
    }
    return out;
}

}  // namespace

class DialogWordsTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void everyFlagTheCoreQuotesIsReworded() {
        const QStringList quoted = literalsNamingAFlag(QStringLiteral("core"));
        // The scan finds the hints it is about (a guard against a scan that finds nothing).
        QVERIFY2(quoted.size() >= 5, qPrintable(quoted.join(QLatin1Char('\n'))));
        for (const QString& q : quoted) {
            const QString shown = inGuiWords(q.section(QStringLiteral(": "), 1));
            QVERIFY2(!shown.contains(kFlag),
                     qPrintable(q + QStringLiteral("\n  shown as: ") + shown));
        }
    }

    void theInputShapeHintNamesTheField() {
        QCOMPARE(inGuiWords(QStringLiteral("the model's input shape is not fully known ([?, 1]): "
                                           "give it with --input-shape, e.g. --input-shape 60,1")),
                 QStringLiteral("the model's input shape is not fully known ([?, 1]): fill in "
                                "Input shape (without the batch axis), e.g. 60,1"));
    }

    void theAppsOwnStringsNameNoFlag() {
        const QStringList quoted = literalsNamingAFlag(QStringLiteral("ui"));
        QVERIFY2(quoted.isEmpty(), qPrintable(quoted.join(QLatin1Char('\n'))));
    }

    void enterInTheTemplateFieldDoesNotBrowse() {
        std::shared_ptr<const Model> model = openModel(seedExamplePath().toStdString());
        TransferDialog dialog(model);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        // A file dialog that opens would block here: close it, and remember that it opened.
        bool browsed = false;
        QTimer watch;
        watch.setInterval(50);
        connect(&watch, &QTimer::timeout, [&browsed] {
            for (QWidget* w : QApplication::topLevelWidgets())
                if (auto* d = qobject_cast<QFileDialog*>(w); d && d->isVisible()) {
                    browsed = true;
                    d->reject();
                }
        });
        watch.start();
        const QString missing = QDir::temp().filePath(QStringLiteral("no-such-template.h5"));
        QLineEdit* field = dialog.templateEdit();
        field->setFocus();
        QTest::keyClicks(field, missing);
        QTest::keyClick(field, Qt::Key_Return);
        QTest::qWait(300);
        watch.stop();
        QVERIFY2(!browsed, "Enter in the Template field opened the file browser");
        QCOMPARE(field->text(), QDir::cleanPath(missing));  // Enter took the typed path
    }
};

WS_QTEST_MAIN(DialogWordsTest)

#include "test_dialog_words.moc"
