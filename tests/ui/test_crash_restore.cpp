// SPDX-License-Identifier: GPL-3.0-or-later
// Unsaved edits survive a kill -9 at any step: a child process (this binary, --child-script)
// runs a scripted edit / undo / redo / save sequence on a 64 MiB PyTorch model through the GUI's
// ModelEditor, and is killed (SIGKILL) between two steps or at a named point inside one (during
// a bulk edit's journal write, while a save writes its temporary file, just before and just
// after the save's rename: io/crash_point.h). A new window then restores; the model must hold
// exactly the state after the last step the child completed (compared in memory, and the saved
// result read by the real torch), and no temporary file may remain beside the model.
#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QMessageBox>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "edit/edit_journal.h"
#include "edit/edit_session.h"
#include "edit/model_editor.h"
#include "formats/open_model.h"
#include "io/atomic_file.h"
#include "save/save_model.h"
#include "ui_test_support.h"
#include "window/main_window.h"
#include "window/model_page.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

// One step of the script: an edit (one undo step), an undo, a redo or a save in place.
struct ScriptStep {
    enum class Act { Edit, Undo, Redo, Save } act;
    std::vector<Edit> edits;
};

// Four (2048, 2048) float32 tensors: 64 MiB. Bulk edits rewrite whole tensors (16 MiB).
std::vector<ScriptStep> script() {
    using A = ScriptStep::Act;
    return {
        {A::Edit, {Edit::set("big0", parseRegion("0, 0"), Scalar::fromReal(1.5))}},
        {A::Edit, {Edit::scale("big0", parseRegion(""), Scalar::fromReal(2))}},
        {A::Edit, {Edit::add("big1", parseRegion("5, 0:10"), Scalar::fromReal(0.25))}},
        {A::Undo, {}},
        {A::Save, {}},
        {A::Edit, {Edit::set("big2", parseRegion("7, 7"), Scalar::fromReal(-3))}},
        {A::Undo, {}},
        {A::Redo, {}},
        {A::Edit, {Edit::scale("big3", parseRegion(""), Scalar::fromReal(-1))}},
        {A::Save, {}},
        {A::Edit, {Edit::set("big3", parseRegion("1, 1"), Scalar::fromReal(9))}},
    };
}

// The model after the first `steps` steps of the script, made by the core alone.
std::unique_ptr<EditSession> scriptedSession(const QString& original, int steps) {
    auto session = std::make_unique<EditSession>(openModel(original.toStdString()));
    const std::vector<ScriptStep> all = script();
    for (int i = 0; i < steps; ++i) {
        const ScriptStep& s = all[std::size_t(i)];
        if (s.act == ScriptStep::Act::Edit) session->applyAll(s.edits);
        if (s.act == ScriptStep::Act::Undo) session->undo();
        if (s.act == ScriptStep::Act::Redo) session->redo();
    }
    return session;
}

std::vector<std::vector<std::uint8_t>> modelBytes(const Model& model) {
    std::vector<std::vector<std::uint8_t>> out;
    model.forEachTensor([&](Node& n) { out.push_back(n.tensor->contiguousBytes()); });
    return out;
}

bool runOracle(const QString& code, const QStringList& args, QByteArray* out = nullptr) {
    QProcess p;
    p.start(QStringLiteral(WS_ORACLE_PYTHON), QStringList{QStringLiteral("-c"), code} + args);
    if (!p.waitForFinished(300000)) return false;
    if (out) *out = p.readAllStandardOutput();
    if (p.exitCode() != 0) qWarning("%s", p.readAllStandardError().constData());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// Clicks whatever the restore at start-up asks: Restore (noted in `asked`), and OK on the note
// about removed temporary files (whose text goes to `tempNote`).
QTimer* answerRestoreBoxes(QString* tempNote, bool* asked) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [=] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) return;
        if (box->objectName() == QStringLiteral("interruptedSaveBox")) {
            *tempNote = box->informativeText();
            box->button(QMessageBox::Ok) ? box->button(QMessageBox::Ok)->click() : box->accept();
        } else if (box->objectName() == QStringLiteral("journalRestoreBox")) {
            *asked = true;
            box->findChild<QAbstractButton*>(QStringLiteral("restoreButton"))->click();
        }
    });
    timer->start();
    return timer;
}

}  // namespace

class CrashRestoreTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(scratch_.isValid());
        original_ = scratch_.filePath(QStringLiteral("original.pth"));
        if (!runOracle(QStringLiteral("import sys, torch\n"
                                      "g = torch.Generator().manual_seed(7)\n"
                                      "torch.save({f'big{i}': torch.randn(2048, 2048, "
                                      "generator=g) for i in range(4)}, sys.argv[1])\n"),
                       {original_}))
            QSKIP("SKIP: the oracle python cannot write a torch file");
    }

    void killedAtEveryStepRestoresTheLastCompletedStep_data() {
        QTest::addColumn<QString>("crashAt");  // io/crash_point.h, or "" to kill between steps
        QTest::addColumn<int>("killAfter");    // steps done when killed from outside (crashAt "")
        QTest::addColumn<bool>("tempLeft");    // the crash leaves a save's temporary file
        QTest::newRow("after a single-cell edit") << QString() << 1 << false;
        QTest::newRow("during the bulk edit's journal write")
            << QStringLiteral("journal-torn:1") << 0 << false;
        QTest::newRow("after the bulk edit") << QString() << 2 << false;
        QTest::newRow("after an undo") << QString() << 4 << false;
        QTest::newRow("while the save writes") << QStringLiteral("save-writing:1") << 0 << true;
        QTest::newRow("before the save's rename")
            << QStringLiteral("save-before-rename:1") << 0 << true;
        QTest::newRow("after the save's rename")
            << QStringLiteral("save-after-rename:1") << 0 << false;
        QTest::newRow("after the save") << QString() << 5 << false;
        QTest::newRow("after undo and redo past the save") << QString() << 8 << false;
        QTest::newRow("during the second bulk edit")
            << QStringLiteral("journal-torn:3") << 0 << false;
        QTest::newRow("before the second save's rename")
            << QStringLiteral("save-before-rename:2") << 0 << true;
        QTest::newRow("after the second save's rename")
            << QStringLiteral("save-after-rename:2") << 0 << false;
        QTest::newRow("after everything") << QString() << int(script().size()) << false;
    }

    void killedAtEveryStepRestoresTheLastCompletedStep() {
        QFETCH(QString, crashAt);
        QFETCH(int, killAfter);
        QFETCH(bool, tempLeft);
        const QString dir = scratch_.filePath(QString::fromLatin1(QTest::currentDataTag())
                                                  .replace(QLatin1Char(' '), QLatin1Char('_')));
        QVERIFY(QDir().mkpath(dir));
        const QString model = QDir(dir).filePath(QStringLiteral("model.pth"));
        QVERIFY(QFile::copy(original_, model));
        const QString journals = QDir(dir).filePath(QStringLiteral("journal"));
        qputenv("WS_JOURNAL_DIR", journals.toLocal8Bit());

        // The child runs the script, one step per line it reads, saying DONE n after step n.
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        if (!crashAt.isEmpty()) env.insert(QStringLiteral("WS_CRASH_AT"), crashAt);
        child.setProcessEnvironment(env);
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--child-script"), model});
        QVERIFY(child.waitForStarted(30000));
        int done = 0;
        QByteArray pending;
        while (child.state() != QProcess::NotRunning) {
            child.waitForReadyRead(200);
            pending += child.readAllStandardOutput();
            for (int nl; (nl = pending.indexOf('\n')) >= 0; pending.remove(0, nl + 1)) {
                const QByteArray line = pending.left(nl);
                if (!line.startsWith("DONE ")) continue;
                done = line.mid(5).toInt();
                if (crashAt.isEmpty() && done == killAfter)
                    child.kill();  // SIGKILL, between two steps
                else
                    child.write("\n");
            }
        }
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        if (crashAt.isEmpty()) QCOMPARE(done, killAfter);
        QCOMPARE(!leftoverTemporaryFiles(model.toStdString()).empty(), tempLeft);

        // A new window restores whatever the journal offers.
        QString tempNote;
        bool asked = false;
        QTimer* answers = answerRestoreBoxes(&tempNote, &asked);
        MainWindow window;
        window.setQuietErrors(true);
        window.show();
        QSignalSpy added(&window, &MainWindow::pageAdded);
        QSignalSpy errors(&window, &MainWindow::errorOccurred);
        window.offerJournalRestore();  // the boxes are modal: answered when this returns
        for (int i = 0; asked && i < 2400 && added.isEmpty() && errors.isEmpty(); ++i)
            QTest::qWait(50);
        answers->stop();
        answers->deleteLater();
        QVERIFY2(errors.isEmpty(),
                 errors.isEmpty() ? "" : qPrintable(errors.first().first().toString()));
        QVERIFY2(leftoverTemporaryFiles(model.toStdString()).empty(), "a temporary file remains");
        QCOMPARE(!tempNote.isEmpty(), tempLeft);
        QVERIFY(leftoverJournals(journals.toStdString()).empty());

        // Restored (or, when nothing was unsaved, the file as it is) = the last completed step.
        ModelPage* page = added.isEmpty() ? openAndWait(window, model)
                                          : added.first().first().value<ModelPage*>();
        QVERIFY(page);
        const std::unique_ptr<EditSession> want = scriptedSession(original_, done);
        QVERIFY(modelBytes(*page->model()) == modelBytes(want->model()));

        // And torch reads the same values from the restored model saved, bit for bit.
        const QString restored = QDir(dir).filePath(QStringLiteral("restored.pth"));
        const QString expected = QDir(dir).filePath(QStringLiteral("expected.pth"));
        QVERIFY(window.savePageAs(page, restored));
        saveModel(want->model(), expected.toStdString());
        QByteArray verdict;
        QVERIFY(
            runOracle(QStringLiteral("import sys, torch\n"
                                     "a = torch.load(sys.argv[1]); b = torch.load(sys.argv[2])\n"
                                     "assert a.keys() == b.keys()\n"
                                     "print(all(torch.equal(a[k].view(torch.int32), "
                                     "b[k].view(torch.int32)) for k in a))\n"),
                      {restored, expected}, &verdict));
        QCOMPARE(verdict.trimmed(), QByteArray("True"));
        QDir(dir).removeRecursively();
    }

  private:
    QTemporaryDir scratch_;
    QString original_;
};

// The child: opens the model in a ModelEditor (journal and all, as the app does) and runs the
// script one step per line read from stdin, saying DONE n after step n; killed by the parent
// or by a crash point.
int runChild(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    const QString file = QString::fromLocal8Bit(argv[2]);
    ModelEditor editor(openModel(file.toStdString()), file);
    const std::vector<ScriptStep> all = script();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const ScriptStep& s = all[i];
        QString why;
        if (s.act == ScriptStep::Act::Edit) why = editor.apply(s.edits);
        if (s.act == ScriptStep::Act::Undo) editor.undoStack()->undo();
        if (s.act == ScriptStep::Act::Redo) editor.undoStack()->redo();
        if (s.act == ScriptStep::Act::Save) why = editor.save(file);
        if (!why.isEmpty()) {
            std::cerr << "step " << i + 1 << ": " << why.toStdString() << std::endl;
            return 3;
        }
        std::cout << "DONE " << i + 1 << std::endl;
        std::string go;
        if (!std::getline(std::cin, go)) return 4;
    }
    return app.exec();  // waits to be killed
}

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[1], "--child-script") == 0) return runChild(argc, argv);
    QApplication app(argc, argv);
    CrashRestoreTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_crash_restore.moc"
