// SPDX-License-Identifier: GPL-3.0-or-later
// Editing in the desktop app, driven like a user would: typing into the values table (invalid
// text refused with its reason), bulk operations on a selection, paste from a spreadsheet,
// undo/redo, save, reopen - then torch / h5py (the oracle, not our reader) must see exactly the
// edited elements changed and every other tensor bit-identical. Also: the unsaved-changes
// prompt on closing a tab or the window, a heatmap click selecting its element in the table,
// and the crash journal: a child process edits, is killed with SIGKILL, and a new window
// restores its edits. With WS_SCREENSHOT_DIR set the editing window is saved as editing.png.
#include <sys/wait.h>
#include <unistd.h>
#include <QAbstractButton>
#include <QApplication>
#include <QClipboard>
#include <QDockWidget>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoGroup>
#include <QUndoStack>
#include <QUndoView>

#include <cstring>
#include <functional>
#include <iostream>
#include <map>

#include "compare/compare_page.h"
#include "edit/edit_journal.h"
#include "edit/journal_replay.h"
#include "edit/model_editor.h"
#include "edit/model_reads.h"
#include "edit/paste_source.h"
#include "edit/region.h"
#include "edit/values_edit_controller.h"
#include "export/export_dialog.h"
#include "formats/open_model.h"
#include "heatmap/heatmap_plot.h"
#include "heatmap/heatmap_view.h"
#include "inspect/slice_controls.h"
#include "io/byte_source.h"
#include "tree/model_tree_model.h"
#include "ui_test_support.h"
#include "values/values_view.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

namespace {

const QString kTorchTensor = QStringLiteral("lstm.weight_hh_l1");  // (200, 50) f32
constexpr int kTorchCols = 50;
const QString kKerasFile = QStringLiteral("keras/lstm_stacked_timeseries_keras2.h5");
const QString kKerasTensor = QStringLiteral("model_weights/lstm_1/lstm_1/lstm_cell/kernel:0");
constexpr int kKerasCols = 200;  // (50, 200) f32

QString examplePath() {
    return QDir(QStringLiteral(WS_EXAMPLES_DIR))
        .filePath(QStringLiteral("seed_lstm_state_dict.pth"));
}

// Compares two files with torch or h5py: which tensors other than `key` differ in any byte, and
// which elements of `key` (flat, C order) differ, with their new values.
QJsonObject oracleDiff(const QString& reader, const QString& before, const QString& after,
                       const QString& key) {
    QByteArray printed, errors;
    const bool ok = runOraclePython(
        QStringLiteral(
            "import sys, json\n"
            "reader, a_path, b_path, key = sys.argv[1:5]\n"
            "def load(path):\n"
            "    if reader == 'torch':\n"
            "        import torch\n"
            "        return {k: v.numpy() for k, v in torch.load(path, "
            "map_location='cpu').items()}\n"
            "    import h5py\n"
            "    out = {}\n"
            "    with h5py.File(path, 'r') as f:\n"
            "        f.visititems(lambda n, o: out.__setitem__(n, o[()]) "
            "if isinstance(o, h5py.Dataset) else None)\n"
            "    return out\n"
            "a, b = load(a_path), load(b_path)\n"
            "others = [k for k in a if k != key and (k not in b or a[k].dtype != b[k].dtype "
            "or a[k].tobytes() != b[k].tobytes())]\n"
            "x, y = a[key].reshape(-1), b[key].reshape(-1)\n"
            "changed = [i for i in range(x.size) if x[i].tobytes() != y[i].tobytes()]\n"
            "print(json.dumps({'keys_same': sorted(a) == sorted(b), 'others': others,\n"
            "                  'changed': changed, 'values': [float(y[i]) for i in changed]}))\n"),
        {reader, before, after, key}, &printed, &errors);
    if (!ok) {
        qWarning("oracle failed: %s", errors.constData());
        return {};
    }
    return QJsonDocument::fromJson(printed).object();
}

// The edits a test makes, computed independently in float32 from the oracle's original values:
// flat index -> expected new value.
using Expected = std::map<qint64, float>;

void expectChangesMatch(const QJsonObject& diff, const std::vector<double>& original,
                        const Expected& edits) {
    QVERIFY2(!diff.isEmpty(), "the oracle could not read the files");
    QVERIFY(diff.value(QStringLiteral("keys_same")).toBool());
    QCOMPARE(diff.value(QStringLiteral("others")).toArray().size(), 0);
    std::map<qint64, float> wantChanged;
    for (const auto& [i, v] : edits) {
        const float was = float(original[std::size_t(i)]);
        if (std::memcmp(&v, &was, sizeof v) != 0) wantChanged[i] = v;
    }
    const QJsonArray changed = diff.value(QStringLiteral("changed")).toArray();
    const QJsonArray values = diff.value(QStringLiteral("values")).toArray();
    QCOMPARE(changed.size(), int(wantChanged.size()));
    int k = 0;
    for (const auto& [i, v] : wantChanged) {
        QCOMPARE(qint64(changed[k].toDouble()), i);
        QCOMPARE(float(values[k].toDouble()), v);
        ++k;
    }
}

// Clicks the button `buttonName` of the message box `boxName` as soon as it is shown; the text
// it showed ends up in *seen.
void answerMessageBox(const QString& boxName, const QString& buttonName, QString* seen) {
    auto* timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, [=] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box || box->objectName() != boxName) return;
        *seen = box->text();
        for (QAbstractButton* b : box->buttons())
            if (b->objectName() == buttonName || b->text().remove(QLatin1Char('&')) == buttonName) {
                b->click();
                break;
            }
        timer->stop();
        timer->deleteLater();
    });
    timer->start();
}

QAction* windowAction(MainWindow& window, const char* name) {
    return window.findChild<QAction*>(QLatin1String(name));
}

QModelIndex cell(ModelPage* page, int r, int c) {
    return page->inspector()->values()->valuesModel()->index(r, c);
}

// Double-clicks a cell, types `text` and presses Enter, as a user does.
void typeIntoCell(ModelPage* page, int r, int c, const QString& text) {
    ValuesView* view = page->inspector()->values();
    view->scrollTo(cell(page, r, c));
    const QPoint at = view->visualRect(cell(page, r, c)).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::qWait(10);  // an editor closed before is deleted by now
    QLineEdit* editor = nullptr;
    for (QLineEdit* e : view->viewport()->findChildren<QLineEdit*>())
        if (e->isVisible()) editor = e;
    QVERIFY2(editor, "double-click opened no editor");
    editor->selectAll();
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
    QTest::qWait(10);
}

void selectRange(ModelPage* page, int top, int left, int bottom, int right) {
    ValuesView* view = page->inspector()->values();
    view->selectionModel()->select(QItemSelection(cell(page, top, left), cell(page, bottom, right)),
                                   QItemSelectionModel::ClearAndSelect);
    view->selectionModel()->setCurrentIndex(cell(page, top, left), QItemSelectionModel::NoUpdate);
}

double shown(ModelPage* page, int r, int c) {
    return page->inspector()->values()->valuesModel()->value(r, c);
}

QString copyTo(const QTemporaryDir& dir, const QString& from, const QString& leaf) {
    const QString to = dir.filePath(leaf);
    QFile::remove(to);
    return QFile::copy(from, to) ? to : QString();
}

void saveScreenshot(QWidget* window, const QString& name) {
    const QString dir = qEnvironmentVariable("WS_SCREENSHOT_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    window->raise();
    QTest::qWait(300);
    QVERIFY(window->grab().save(QDir(dir).filePath(name)));
}

// A model opened fresh from `file` with the journal replayed into it through the core alone
// (not the app's restore): what a crash followed by a restore would give.
std::shared_ptr<Model> modelFromJournal(const QString& file, const JournalState& journal) {
    EditSession session(openModel(file.toStdString()));
    replayJournal(session, journal);
    return session.modelPtr();
}

// A journal for `source` as a crashed Weightsmith leaves it: written by the core's journal
// writer in a child process that then ends without removing it. Returns its file.
std::string writeOrphanJournal(const QString& directory, const QString& source,
                               const std::vector<EditStep>& steps) {
    const std::string file = newJournalFile(directory.toStdString());
    const pid_t child = ::fork();
    if (child == 0) {
        try {
            EditJournal writer(file, describeSource(source.toStdString()));
            for (const EditStep& s : steps) writer.push(s);
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);  // no destructors, no Qt: like a crash
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    return file;
}

// One step that sets element (0, 0) of `tensor` in `file` to `value`, with the file's bytes as
// its "before".
EditStep setFirstElementStep(const QString& file, const std::string& tensor, float value) {
    const std::vector<std::uint8_t> original =
        openModel(file.toStdString())->find(tensor)->tensor->contiguousBytes();
    std::vector<std::uint8_t> after(sizeof value);
    std::memcpy(after.data(), &value, sizeof value);
    return EditStep{
        "set",
        {EditPart{tensor, Region{{0, 0}, {1, 1}, {1, 1}},
                  std::vector<std::uint8_t>(original.begin(), original.begin() + 4), after}}};
}

QString statusText(MainWindow& window) {
    QStringList texts;
    for (QLabel* l : window.statusBar()->findChildren<QLabel*>()) texts << l->text();
    return texts.join(QLatin1Char('\n'));
}

}  // namespace

class EditingTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(scratch_.isValid());
        journalDir_ = scratch_.filePath(QStringLiteral("journal"));
        qputenv("WS_JOURNAL_DIR", journalDir_.toLocal8Bit());  // children inherit it
    }

    void editUndoRedoSaveReopenTorch() {
        const QString file = copyTo(scratch_, examplePath(), QStringLiteral("edited.pth"));
        QVERIFY(!file.isEmpty());
        const std::vector<double> original = torchValues(file, kTorchTensor);
        if (original.empty()) QSKIP("SKIP: the oracle python cannot import torch");
        MainWindow window;
        window.resize(1400, 860);
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        QVERIFY(selectTensorAndWait(page, kTorchTensor));
        page->inspector()->showTab(TensorInspector::ValuesTab);
        QTest::qWait(50);
        Expected want;
        auto at = [](int r, int c) { return qint64(r) * kTorchCols + c; };

        // Typing a value.
        QVERIFY(!window.historyDock()->isVisible());  // only browsing so far
        typeIntoCell(page, 2, 3, QStringLiteral("0.125"));
        QCOMPARE(shown(page, 2, 3), 0.125);
        QVERIFY(window.historyDock()->isVisible());  // the first edit shows the history
        want[at(2, 3)] = 0.125f;
        QVERIFY(window.isWindowModified());
        QVERIFY(window.windowTitle().contains(QStringLiteral("[*]")));
        QVERIFY(page->treeModel()->isEdited(page->model()->find(kTorchTensor.toStdString())));

        // Invalid text is refused with its reason; the editor stays open; nothing is written.
        const double before = shown(page, 4, 4);
        typeIntoCell(page, 4, 4, QStringLiteral("abc"));
        QVERIFY2(page->inspector()->values()->cellDelegate()->lastRefusal().contains(
                     QStringLiteral("not a number")),
                 qPrintable(page->inspector()->values()->cellDelegate()->lastRefusal()));
        QVERIFY(page->inspector()->values()->viewport()->findChild<QLineEdit*>());
        QTest::keyClick(page->inspector()->values()->viewport()->findChild<QLineEdit*>(),
                        Qt::Key_Escape);
        typeIntoCell(page, 4, 4, QStringLiteral("1e39"));
        QVERIFY2(page->inspector()->values()->cellDelegate()->lastRefusal().contains(
                     QStringLiteral("out of range for f32")),
                 qPrintable(page->inspector()->values()->cellDelegate()->lastRefusal()));
        QTest::keyClick(page->inspector()->values()->viewport()->findChild<QLineEdit*>(),
                        Qt::Key_Escape);
        QCOMPARE(shown(page, 4, 4), before);

        // Bulk operations on selections: scale, add, zero, paste from a spreadsheet.
        ValuesEditController* edits = page->valuesEditing();
        selectRange(page, 5, 0, 6, 2);
        QCOMPARE(edits->applyToSelection(Edit::Kind::Scale, Scalar::fromInt(2)), QString());
        for (int r = 5; r <= 6; ++r)
            for (int c = 0; c <= 2; ++c) want[at(r, c)] = float(original[at(r, c)]) * 2.0f;
        selectRange(page, 8, 1, 8, 3);
        QCOMPARE(edits->applyToSelection(Edit::Kind::Add, Scalar::fromReal(0.5)), QString());
        for (int c = 1; c <= 3; ++c)
            want[at(8, c)] = float(double(float(original[at(8, c)])) + 0.5);
        selectRange(page, 10, 0, 10, 4);
        QAction* zero = nullptr;
        for (QAction* a : edits->actions())
            if (a->text().startsWith(QStringLiteral("Zero"))) zero = a;
        QVERIFY(zero);
        zero->trigger();
        for (int c = 0; c <= 4; ++c) want[at(10, c)] = 0.0f;
        selectRange(page, 20, 10, 20, 10);
        QApplication::clipboard()->setText(QStringLiteral("1.5\t2.5\n3.5\t4.5\n"));
        QAction* paste = nullptr;
        for (QAction* a : edits->actions())
            if (a->shortcut() == QKeySequence(QKeySequence::Paste)) paste = a;
        QVERIFY2(paste, "no action on Ctrl+V");
        // Triggered directly: whether a key reaches a shortcut depends on window activation,
        // which xvfb without a window manager does not give reliably.
        paste->trigger();
        QCOMPARE(shown(page, 21, 11), 4.5);
        want[at(20, 10)] = 1.5f;
        want[at(20, 11)] = 2.5f;
        want[at(21, 10)] = 3.5f;
        want[at(21, 11)] = 4.5f;

        // History: five steps; undo takes the paste back, redo puts it again.
        QUndoStack* stack = page->editor()->undoStack();
        QCOMPARE(stack->count(), 5);
        auto* history = window.historyDock()->findChild<QUndoView*>();
        QVERIFY(history);
        QCOMPARE(history->model()->rowCount(), 6);  // <opened file> + 5
        QAction* undo = windowAction(window, "actionUndo");
        QAction* redo = windowAction(window, "actionRedo");
        QVERIFY(undo && redo);
        QCOMPARE(undo->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_Z));
        QCOMPARE(redo->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z));
        undo->trigger();
        QCOMPARE(shown(page, 21, 11), double(float(original[at(21, 11)])));
        QCOMPARE(stack->index(), 4);
        redo->trigger();
        QCOMPARE(shown(page, 21, 11), 4.5);
        // Edited cells are highlighted in the table until saved.
        QVERIFY(cell(page, 21, 11).data(Qt::BackgroundRole).isValid());
        QVERIFY(!cell(page, 30, 30).data(Qt::BackgroundRole).isValid());
        // The journal follows the edits.
        QVERIFY(!page->editor()->journalFile().isEmpty());
        QVERIFY(QFileInfo::exists(page->editor()->journalFile()));

        page->inspector()->values()->scrollTo(cell(page, 0, 0));
        saveScreenshot(&window, QStringLiteral("editing.png"));

        // Save (Ctrl+S), then the state is clean, the journal says so (it records the save
        // instead of being written again at the next edit), the marks are cleared.
        const QString journal = page->editor()->journalFile();
        QAction* save = windowAction(window, "actionSave");
        QVERIFY(save);
        QCOMPARE(save->shortcut(), QKeySequence(QKeySequence::Save));
        save->trigger();
        QVERIFY(!page->isModified());
        QVERIFY(!window.isWindowModified());
        QVERIFY(!readJournal(journal.toStdString()).unsaved());
        QVERIFY(!page->treeModel()->isEdited(page->model()->find(kTorchTensor.toStdString())));
        QVERIFY(!cell(page, 21, 11).data(Qt::BackgroundRole).isValid());

        // torch reads exactly the edits; every other tensor is bit-identical.
        expectChangesMatch(oracleDiff(QStringLiteral("torch"), examplePath(), file, kTorchTensor),
                           original, want);
        // Reopened in the app (another window: in this one the file's tab would only be
        // focused), the values are torch's.
        MainWindow other;
        ModelPage* again = showAndOpen(other, file);
        QVERIFY(again);
        const std::vector<double> saved = torchValues(file, kTorchTensor);
        QCOMPARE(again->model()->find(kTorchTensor.toStdString())->tensor->toDoubles(), saved);
    }

    void editUndoRedoSaveAsKeras() {
        WS_REQUIRE_FIXTURE(fixturePath, "keras/lstm_stacked_timeseries_keras2.h5");
        const QString file = copyTo(scratch_, fixturePath, QStringLiteral("keras_in.h5"));
        const std::vector<double> original = h5pyValues(file, kKerasTensor);
        if (original.empty()) QSKIP("SKIP: the oracle python cannot import h5py");
        MainWindow window;
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);

        // An integer scalar refuses a fraction, naming why.
        QVERIFY(selectTensorAndWait(page, QStringLiteral("optimizer_weights/iteration:0")));
        const QString why = page->valuesEditing()->editCell(0, 0, QStringLiteral("0.5"));
        QVERIFY2(why.contains(QStringLiteral("integer tensor")), qPrintable(why));
        QCOMPARE(page->editor()->undoStack()->count(), 0);

        QVERIFY(selectTensorAndWait(page, kKerasTensor));
        page->inspector()->showTab(TensorInspector::ValuesTab);
        auto at = [](int r, int c) { return qint64(r) * kKerasCols + c; };
        Expected want;
        typeIntoCell(page, 1, 7, QStringLiteral("-0.75"));
        want[at(1, 7)] = -0.75f;
        selectRange(page, 3, 100, 4, 103);
        QCOMPARE(page->valuesEditing()->applyToSelection(Edit::Kind::Scale, Scalar::fromReal(-3)),
                 QString());
        for (int r = 3; r <= 4; ++r)
            for (int c = 100; c <= 103; ++c)
                want[at(r, c)] = float(double(float(original[at(r, c)])) * -3.0);
        selectRange(page, 40, 199, 40, 199);
        QCOMPARE(page->valuesEditing()->applyToSelection(Edit::Kind::Set, Scalar::fromInt(9)),
                 QString());  // undone below, never saved
        page->editor()->undoStack()->undo();
        page->editor()->undoStack()->undo();
        page->editor()->undoStack()->redo();
        QCOMPARE(page->editor()->undoStack()->index(), 2);

        const QString out = scratch_.filePath(QStringLiteral("keras_out.h5"));
        QVERIFY(window.savePageAs(page, out));
        QCOMPARE(page->filePath(), QFileInfo(out).absoluteFilePath());
        QVERIFY(!page->isModified());
        expectChangesMatch(oracleDiff(QStringLiteral("h5py"), file, out, kKerasTensor), original,
                           want);
    }

    // An int64 beyond 2^53 has no exact double: the editor must open with its own digits, and
    // Enter on them unchanged must neither edit nor add an undo step.
    void int64EditorOpensExactAndUnchangedEnterIsNoEdit() {
        const QString file = scratch_.filePath(QStringLiteral("big_int64.pth"));
        QProcess make;
        make.start(QStringLiteral(WS_ORACLE_PYTHON),
                   {QStringLiteral("-c"),
                    QStringLiteral("import sys, torch\n"
                                   "torch.save({'big': torch.tensor([[1, 2**53 + 1, 3]],"
                                   " dtype=torch.int64)}, sys.argv[1])\n"),
                    file});
        if (!make.waitForFinished(120000) || make.exitCode() != 0)
            QSKIP("SKIP: the oracle python cannot write a torch file");
        MainWindow window;
        window.resize(1400, 860);
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        QVERIFY(selectTensorAndWait(page, QStringLiteral("big")));
        page->inspector()->showTab(TensorInspector::ValuesTab);
        QTest::qWait(50);
        // The text the cell editor opens with (CellEditDelegate::setEditorData).
        QCOMPARE(cell(page, 0, 1).data(ValuesTableModel::ExactTextRole).toString(),
                 QStringLiteral("9007199254740993"));
        typeIntoCell(page, 0, 1, QString());  // Enter on the text as it opened
        QCOMPARE(page->editor()->undoStack()->count(), 0);
        QVERIFY(!page->isModified());

        const QString saved = scratch_.filePath(QStringLiteral("big_int64_saved.pth"));
        QVERIFY(window.savePageAs(page, saved));
        QProcess check;
        check.start(QStringLiteral(WS_ORACLE_PYTHON),
                    {QStringLiteral("-c"),
                     QStringLiteral("import sys, torch\n"
                                    "print(torch.load(sys.argv[1])['big'][0, 1].item())\n"),
                     saved});
        QVERIFY(check.waitForFinished(120000) && check.exitCode() == 0);
        QCOMPARE(check.readAllStandardOutput().trimmed(), QByteArray("9007199254740993"));
    }

    void refusalsNameTheDtypeRule() {
        // f16 has no room for 70000; the message says so instead of writing infinity.
        Tensor t;
        t.dtype = DType::F16;
        t.shape = {1};
        t.storage = std::make_shared<MemoryByteSource>(std::vector<std::uint8_t>(2, 0));
        QVERIFY(refusalForCellText(t, QStringLiteral("70000"))
                    .contains(QStringLiteral("out of range for f16")));
        QCOMPARE(refusalForCellText(t, QStringLiteral("65504")), QString());
        t.dtype = DType::Bool;
        t.shape = {1};
        QVERIFY(refusalForCellText(t, QStringLiteral("2")).contains(QStringLiteral("boolean")));
        QVERIFY(
            refusalForCellText(t, QStringLiteral("x1")).contains(QStringLiteral("not a number")));
    }

    void heatmapClickSelectsTheElement() {
        MainWindow window;
        window.resize(1400, 860);
        ModelPage* page = showAndOpen(window, examplePath());
        QVERIFY(page);
        QVERIFY(selectTensorAndWait(page, kTorchTensor));
        page->inspector()->showTab(TensorInspector::HeatmapTab);
        QTest::qWait(100);
        HeatmapPlot* plot = page->inspector()->heatmap()->plot();
        const QPoint p(int(plot->xAxis->coordToPixel(17)), int(plot->yAxis->coordToPixel(123)));
        QTest::mouseClick(plot, Qt::LeftButton, {}, p);
        ValuesView* values = page->inspector()->values();
        QVERIFY(values->isVisible());
        QCOMPARE(values->currentIndex().row(), 123);
        QCOMPARE(values->currentIndex().column(), 17);

        // The heatmap re-reads the tensor after an edit and after its undo: its colour range
        // (max |x| of the tensor) follows the edited element.
        HeatmapView* heatmap = page->inspector()->heatmap();
        heatmap->setClipToPercentile(false);
        const double range = heatmap->halfRange();
        QVERIFY(range < 7);
        QCOMPARE(page->valuesEditing()->editCell(123, 17, QStringLiteral("-7")), QString());
        QCOMPARE(heatmap->halfRange(), 7.0);
        page->editor()->undoStack()->undo();
        QCOMPARE(heatmap->halfRange(), range);
    }

    void closingWithUnsavedEditsAsks() {
        const QString file = copyTo(scratch_, examplePath(), QStringLiteral("prompt.pth"));
        MainWindow window;
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        QVERIFY(selectTensorAndWait(page, kTorchTensor));
        QCOMPARE(page->valuesEditing()->editCell(0, 0, QStringLiteral("3")), QString());
        auto* tabs = window.findChild<QTabWidget*>();
        QVERIFY(tabs);

        // Closing the tab: Cancel keeps it.
        QString text;
        answerMessageBox(QStringLiteral("unsavedChangesBox"), QStringLiteral("Cancel"), &text);
        Q_EMIT tabs->tabCloseRequested(0);
        QVERIFY2(
            text.contains(QStringLiteral("prompt.pth")) && text.contains(QStringLiteral("unsaved")),
            qPrintable(text));
        QCOMPARE(window.pageCount(), 1);

        // Closing the window: Cancel keeps it open.
        text.clear();
        answerMessageBox(QStringLiteral("unsavedChangesBox"), QStringLiteral("Cancel"), &text);
        QVERIFY(!window.close());
        QVERIFY(!text.isEmpty());
        QVERIFY(window.isVisible());

        // Discard closes the tab, and the journal with it.
        const QString journal = page->editor()->journalFile();
        QVERIFY(QFileInfo::exists(journal));
        text.clear();
        answerMessageBox(QStringLiteral("unsavedChangesBox"), QStringLiteral("Discard"), &text);
        Q_EMIT tabs->tabCloseRequested(0);
        QVERIFY(!text.isEmpty());
        QCOMPARE(window.pageCount(), 0);
        QTest::qWait(50);  // deleteLater
        QVERIFY(!QFileInfo::exists(journal));

        // The window with an edited model: Discard lets it close.
        page = openAndWait(window, file);
        QVERIFY(page);
        QVERIFY(selectTensorAndWait(page, kTorchTensor));
        QCOMPARE(page->valuesEditing()->editCell(1, 1, QStringLiteral("4")), QString());
        text.clear();
        answerMessageBox(QStringLiteral("unsavedChangesBox"), QStringLiteral("Discard"), &text);
        QVERIFY(window.close());
        QVERIFY(!text.isEmpty());
        QVERIFY(!window.isVisible());
    }

    void crashJournalRestores() {
        const QString file = copyTo(scratch_, examplePath(), QStringLiteral("crashed.pth"));
        const std::vector<double> original = torchValues(file, kTorchTensor);
        if (original.empty()) QSKIP("SKIP: the oracle python cannot import torch");
        QDir(journalDir_).removeRecursively();

        // A real second process edits (see runChild below) and is killed without warning.
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QCoreApplication::applicationFilePath(),
                    {QStringLiteral("--child-edit"), file});
        QVERIFY(child.waitForStarted(30000));
        QByteArray out;
        for (int i = 0; i < 1200 && !out.contains("READY"); ++i) {
            child.waitForReadyRead(100);
            out += child.readAllStandardOutput();
        }
        QVERIFY2(out.contains("READY"), out.constData());
        child.kill();  // SIGKILL
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QCOMPARE(int(leftoverJournals(journalDir_.toStdString()).size()), 1);

        MainWindow window;
        window.setQuietErrors(true);
        window.show();
        QSignalSpy added(&window, &MainWindow::pageAdded);
        QString text;
        answerMessageBox(QStringLiteral("journalRestoreBox"), QStringLiteral("restoreButton"),
                         &text);
        window.offerJournalRestore();
        QVERIFY2(text.contains(QStringLiteral("crashed.pth")) &&
                     text.contains(QStringLiteral("2 of 3 undo steps")),
                 qPrintable(text));
        QVERIFY(added.wait(60000) || !added.isEmpty());
        ModelPage* page = added.first().first().value<ModelPage*>();
        QVERIFY(page->isModified());
        QVERIFY(window.isWindowModified());
        // The history is back too: three steps, the last one undone (redo-able).
        QCOMPARE(page->editor()->undoStack()->count(), 3);
        QCOMPARE(page->editor()->undoStack()->index(), 2);
        QVERIFY(leftoverJournals(journalDir_.toStdString()).empty());

        const QString restored = scratch_.filePath(QStringLiteral("restored.pth"));
        QVERIFY(window.savePageAs(page, restored));
        auto at = [](int r, int c) { return qint64(r) * kTorchCols + c; };
        Expected want;
        want[at(1, 1)] = 0.5f;
        for (int r = 3; r <= 4; ++r)
            for (int c = 0; c <= 1; ++c) want[at(r, c)] = -float(original[at(r, c)]);
        expectChangesMatch(oracleDiff(QStringLiteral("torch"), file, restored, kTorchTensor),
                           original, want);
    }

    // A journal whose second step cannot be applied (a region past the tensor's end): the
    // first step is already in the model when that shows, so the tab must go, the file open
    // again unedited, the journal stay, and the user learn which file failed and why.
    void failedRestoreReopensTheFileClean() {
        const QString file = copyTo(scratch_, examplePath(), QStringLiteral("badjournal.pth"));
        const std::string path = kTorchTensor.toStdString();
        const std::vector<std::uint8_t> original =
            openModel(file.toStdString())->find(path)->tensor->contiguousBytes();
        QDir(journalDir_).removeRecursively();
        const EditStep good = setFirstElementStep(file, path, 1.5f);
        const EditPart& part = good.parts.front();
        const EditPart outside{path, Region{{200, 0}, {1, 1}, {1, 1}}, part.after, part.after};
        const std::string journalFile =
            writeOrphanJournal(journalDir_, file, {good, EditStep{"bad", {outside}}});
        QCOMPARE(int(leftoverJournals(journalDir_.toStdString()).size()), 1);

        MainWindow window;
        window.setQuietErrors(true);
        window.show();
        QSignalSpy added(&window, &MainWindow::pageAdded);
        QSignalSpy errors(&window, &MainWindow::errorOccurred);
        QString box;
        answerMessageBox(QStringLiteral("journalRestoreBox"), QStringLiteral("restoreButton"),
                         &box);
        window.offerJournalRestore();
        QVERIFY(added.wait(60000) || !added.isEmpty());
        QCOMPARE(errors.count(), 1);
        const QString message = errors.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("badjournal.pth")) &&
                     message.contains(QString::fromStdString(journalFile)),
                 qPrintable(message));
        auto* tabs = window.findChild<QTabWidget*>();
        QTRY_COMPARE(tabs->count(), 1);
        ModelPage* page = added.first().first().value<ModelPage*>();
        QCOMPARE(tabs->widget(0), page);
        QVERIFY(!page->isModified());
        QVERIFY(!tabs->tabText(0).contains(QLatin1Char('*')));
        QCOMPARE(page->editor()->undoStack()->count(), 0);
        QCOMPARE(page->model()->find(path)->tensor->contiguousBytes(), original);
        QVERIFY(QFileInfo::exists(QString::fromStdString(journalFile)));
        QDir(journalDir_).removeRecursively();
    }

    // Two crashed sessions of the same file leave two journals: only the newest is offered, and
    // answering it removes the older one too (else it would be offered at every start).
    void onlyTheNewestJournalOfAFileIsOffered() {
        const QString file = copyTo(scratch_, examplePath(), QStringLiteral("twice.pth"));
        QDir(journalDir_).removeRecursively();
        const EditStep step = setFirstElementStep(file, kTorchTensor.toStdString(), 2.5f);
        const std::string first = writeOrphanJournal(journalDir_, file, {step});
        const std::string second = writeOrphanJournal(journalDir_, file, {step});
        QCOMPARE(int(leftoverJournals(journalDir_.toStdString()).size()), 2);
        MainWindow window;
        window.show();
        int boxes = 0;
        QTimer discard;
        connect(&discard, &QTimer::timeout, [&] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            if (!box || box->objectName() != QStringLiteral("journalRestoreBox")) return;
            ++boxes;
            box->findChild<QAbstractButton*>(QStringLiteral("discardButton"))->click();
        });
        discard.start(20);
        window.offerJournalRestore();
        discard.stop();
        QCOMPARE(boxes, 1);
        QVERIFY(!QFileInfo::exists(QString::fromStdString(first)));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(second)));
    }

    // One tab per file: opening an open file focuses its tab; restoring edits of it goes into
    // that tab when it is clean and unedited, and asks first when it has edits of its own.
    void oneTabPerFileAndRestoresIntoIt() {
        const QString file = copyTo(scratch_, examplePath(), QStringLiteral("onetab.pth"));
        const std::string path = kTorchTensor.toStdString();
        QDir(journalDir_).removeRecursively();
        MainWindow window;
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        QCOMPARE(openAndWait(window, file), page);
        QCOMPARE(window.pageCount(), 1);

        // A crashed session's edit of this file: restored into the open, clean tab.
        writeOrphanJournal(journalDir_, file, {setFirstElementStep(file, path, 1.5f)});
        QString text;
        answerMessageBox(QStringLiteral("journalRestoreBox"), QStringLiteral("restoreButton"),
                         &text);
        window.offerJournalRestore();
        QCOMPARE(window.pageCount(), 1);
        QCOMPARE(window.pageAt(0), page);
        QVERIFY(page->isModified());
        QCOMPARE(page->model()->find(path)->tensor->toDoubles()[0], 1.5);
        QCOMPARE(page->editor()->undoStack()->count(), 1);
        QVERIFY(leftoverJournals(journalDir_.toStdString()).empty());

        // Another one, while the tab has unsaved edits: asked; keeping them keeps the journal.
        const std::string second =
            writeOrphanJournal(journalDir_, file, {setFirstElementStep(file, path, 2.5f)});
        answerMessageBox(QStringLiteral("journalRestoreBox"), QStringLiteral("restoreButton"),
                         &text);
        QString asked;
        answerMessageBox(QStringLiteral("replaceOpenEditsBox"), QStringLiteral("Keep Open Edits"),
                         &asked);
        window.offerJournalRestore();
        QVERIFY2(asked.contains(QStringLiteral("onetab.pth")), qPrintable(asked));
        QCOMPARE(window.pageCount(), 1);
        QCOMPARE(page->model()->find(path)->tensor->toDoubles()[0], 1.5);
        QVERIFY(QFileInfo::exists(QString::fromStdString(second)));

        // Asked again, "Discard and Restore": the tab is replaced by the file with those edits.
        answerMessageBox(QStringLiteral("journalRestoreBox"), QStringLiteral("restoreButton"),
                         &text);
        answerMessageBox(QStringLiteral("replaceOpenEditsBox"), QStringLiteral("replaceButton"),
                         &asked);
        QSignalSpy added(&window, &MainWindow::pageAdded);
        window.offerJournalRestore();
        QVERIFY(added.wait(60000) || !added.isEmpty());
        QTRY_COMPARE(window.pageCount(), 1);
        ModelPage* restored = added.first().first().value<ModelPage*>();
        QCOMPARE(restored->model()->find(path)->tensor->toDoubles()[0], 2.5);
        QVERIFY(restored->isModified());
        QDir(journalDir_).removeRecursively();
    }

    void refusalPartwayKeepsHistoryAndJournal() {
        const QString file = copyTo(scratch_, examplePath(), QStringLiteral("partway.pth"));
        MainWindow window;
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        ModelEditor* editor = page->editor();
        QUndoStack* stack = editor->undoStack();
        const std::string path = kTorchTensor.toStdString();
        QCOMPARE(editor->apply({Edit::set(path, parseRegion("0, 0"), Scalar::fromReal(1.5))}),
                 QString());
        QCOMPARE(editor->apply({Edit::set(path, parseRegion("0, 1"), Scalar::fromReal(2.5))}),
                 QString());
        stack->undo();  // one redo step
        const std::vector<std::uint8_t> before =
            page->model()->find(path)->tensor->contiguousBytes();

        // Two parts: the first is made, the second (a 2x2 block at the last element) is refused.
        const QString why =
            editor->apply({Edit::set(path, parseRegion("5, 5"), Scalar::fromReal(9)),
                           Edit::paste(path, parseRegion("199, 49"), parsePasteText("1 2\n3 4"))});
        QVERIFY2(!why.isEmpty(), "a block past the end was pasted");
        QCOMPARE(page->model()->find(path)->tensor->contiguousBytes(), before);
        // The history is as it was: the refused step took nothing away, the redo is still there.
        QCOMPARE(stack->count(), 2);
        QCOMPARE(stack->index(), 1);
        QVERIFY(editor->session().canRedo());

        // The journal says the same, and replayed from the file it gives the model's bytes.
        JournalState journal = readJournal(editor->journalFile().toStdString());
        QCOMPARE(journal.stepCount, std::size_t(stack->count()));
        QCOMPARE(journal.index, std::size_t(stack->index()));
        QCOMPARE(modelFromJournal(file, journal)->find(path)->tensor->contiguousBytes(), before);

        // Redo still puts the second edit back, in the model and in the journal.
        stack->redo();
        const std::vector<std::uint8_t> after =
            page->model()->find(path)->tensor->contiguousBytes();
        QVERIFY(after != before);
        journal = readJournal(editor->journalFile().toStdString());
        QCOMPARE(journal.index, std::size_t(2));
        QCOMPARE(modelFromJournal(file, journal)->find(path)->tensor->contiguousBytes(), after);
    }

    // An undo the session refuses (here: the tensor no longer has the edited region) must not
    // leave the stack saying it was undone: the session is all or nothing, so the model, the
    // history (stack and session) and the journal stay as they were, and the user is told.
    void refusedUndoChangesNothing() {
        const QString file = copyTo(scratch_, examplePath(), QStringLiteral("failedundo.pth"));
        MainWindow window;
        ModelPage* page = showAndOpen(window, file);
        QVERIFY(page);
        ModelEditor* editor = page->editor();
        const std::string path = kTorchTensor.toStdString();
        QCOMPARE(editor->apply({Edit::set(path, parseRegion("5, 5"), Scalar::fromReal(1.5))}),
                 QString());
        const QString journal = editor->journalFile();
        QVERIFY(QFileInfo::exists(journal));
        QSignalSpy errors(&window, &MainWindow::errorOccurred);
        Tensor& tensor = *page->model()->find(path)->tensor;
        const std::vector<std::int64_t> shape = tensor.shape;
        tensor.shape = {2, shape[1]};  // row 5 is gone: the undo's Restore is refused
        windowAction(window, "actionUndo")->trigger();
        tensor.shape = shape;
        QTRY_COMPARE(editor->undoStack()->index(), 1);
        QCOMPARE(editor->undoStack()->count(), 1);
        QVERIFY(page->isModified());
        QCOMPARE(editor->session().version(), std::size_t(1));
        QVERIFY(editor->session().canUndo());
        QVERIFY(QFileInfo::exists(journal));
        QCOMPARE(readJournal(journal.toStdString()).index, std::size_t(1));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.first().first().toString().contains(QStringLiteral("failed")),
                 qPrintable(errors.first().first().toString()));
        QCOMPARE(page->model()->find(path)->tensor->toDoubles()[5 * kTorchCols + 5], 1.5);
        // With the shape back, the same undo goes through.
        windowAction(window, "actionUndo")->trigger();
        QCOMPARE(editor->session().version(), std::size_t(0));
        QVERIFY(!page->isModified());
    }

    void layerOverviewFollowsEdits() {
        MainWindow window;
        ModelPage* page = showAndOpen(window, examplePath());
        QVERIFY(page);
        LayerOverview* layer = page->layerOverview();
        QSignalSpy shown(layer, &LayerOverview::allShown);
        QVERIFY(page->selectPath(QStringLiteral("lstm")));
        QVERIFY(shown.wait(30000));
        int tile = -1;
        for (int i = 0; i < layer->tensorCount(); ++i)
            if (layer->titleAt(i).startsWith(QStringLiteral("weight_hh_l1"))) tile = i;
        QVERIFY(tile >= 0);
        const QString before = layer->titleAt(tile);  // ends with the tile's range, well below 7
        QVERIFY2(!before.endsWith(QStringLiteral("±7")), qPrintable(before));

        // An edit of a shown tensor re-reads the tiles: the range follows the edited element.
        shown.clear();
        QCOMPARE(page->editor()->apply({Edit::set(kTorchTensor.toStdString(), parseRegion("3, 3"),
                                                  Scalar::fromReal(-7))}),
                 QString());
        QVERIFY(shown.wait(30000));
        QVERIFY2(layer->titleAt(tile).endsWith(QStringLiteral("±7")),
                 qPrintable(layer->titleAt(tile)));
        // And so does its undo.
        shown.clear();
        page->editor()->undoStack()->undo();
        QVERIFY(shown.wait(30000));
        QCOMPARE(layer->titleAt(tile), before);
    }

    // A compare or an export reads the whole model on a worker: an edit meanwhile is refused
    // (never torn into the result), Undo/Redo wait too; afterwards the compare tab says it is
    // stale and Recompute measures the edited model.
    void longReadsHoldEditsOffAndCompareGoesStale() {
        const QString fileA = copyTo(scratch_, examplePath(), QStringLiteral("compareA.pth"));
        const QString fileB = copyTo(scratch_, examplePath(), QStringLiteral("compareB.pth"));
        MainWindow window;
        window.resize(1400, 860);
        ModelPage* a = showAndOpen(window, fileA);
        ModelPage* b = openAndWait(window, fileB);
        QVERIFY(a && b);
        const std::string path = kTorchTensor.toStdString();
        const Edit edit = Edit::set(path, parseRegion("7, 7"), Scalar::fromReal(-3));

        // The comparison holds both models from its start (the worker may not have begun).
        ComparePage* compare = window.compareWith(a, b);
        QVERIFY(compare);
        QSignalSpy ready(compare, &ComparePage::comparisonReady);
        QString why = a->editor()->apply({edit});
        QVERIFY2(why.contains(QStringLiteral("Compare")), qPrintable(why));
        QCOMPARE(a->editor()->undoStack()->count(), 0);
        QVERIFY(ready.wait(30000));
        const std::size_t layers = compare->comparison().layers.size();
        QVERIFY(layers > 0);
        QCOMPARE(compare->comparison().identicalLayers(), layers);  // measured before any edit
        QVERIFY(!compare->isStale());
        QVERIFY2(
            statusText(window).contains(QStringLiteral("compareA.pth (A) vs compareB.pth (B)")),
            qPrintable(statusText(window)));
        QTRY_VERIFY(a->editor()->editBlockedBecause().isEmpty());

        // Now the edit goes in, and the comparison says it no longer holds.
        QCOMPARE(a->editor()->apply({edit}), QString());
        QVERIFY(compare->isStale());
        QVERIFY(compare->staleBanner()->isVisible());
        QString banner;
        for (QLabel* l : compare->staleBanner()->findChildren<QLabel*>()) banner += l->text();
        QVERIFY2(banner.contains(QStringLiteral("A (compareA.pth) was edited")),
                 qPrintable(banner));
        QVERIFY(statusText(window).contains(QStringLiteral("Recompute")));
        // Ctrl+Z on the compare tab must not undo A's edit, hidden in its own tab.
        auto* tabs = window.findChild<QTabWidget*>();
        tabs->setCurrentWidget(a);
        QTRY_VERIFY(windowAction(window, "actionUndo")->isEnabled());
        tabs->setCurrentWidget(compare);
        QVERIFY(!windowAction(window, "actionUndo")->isEnabled());
        QVERIFY(a->editor()->undoStack()->canUndo());
        saveScreenshot(&window, QStringLiteral("compare_stale.png"));
        ready.clear();
        QTest::mouseClick(compare->recomputeButton(), Qt::LeftButton);
        QVERIFY(ready.wait(30000));
        QVERIFY(!compare->isStale());
        QVERIFY(!compare->staleBanner()->isVisible());
        QCOMPARE(compare->comparison().identicalLayers(), layers - 1);
        const double original = b->model()->find(path)->tensor->toDoubles()[7 * kTorchCols + 7];
        for (const compare::LayerComparison& l : compare->comparison().layers)
            if (!l.identical()) {
                QCOMPARE(l.total.differing, std::uint64_t(1));
                QCOMPARE(l.total.maxAbsDiff, std::abs(-3.0 - original));
            }

        // Export as: the file holds the model as it was when the export started.
        tabs->setCurrentWidget(a);
        ExportDialog* dialog = window.showExportDialog();
        QVERIFY(dialog);
        QSignalSpy exported(dialog, &ExportDialog::finished);
        const QString out = scratch_.filePath(QStringLiteral("while_editing.safetensors"));
        dialog->setFormat(ExportFormat::Safetensors);
        dialog->setFileName(out);
        const std::vector<std::uint8_t> atStart = a->model()->find(path)->tensor->contiguousBytes();
        dialog->startExport();
        why = a->editor()->apply({Edit::set(path, parseRegion("8, 8"), Scalar::fromReal(5))});
        QVERIFY2(why.contains(QStringLiteral("Export as")), qPrintable(why));
        QVERIFY(!windowAction(window, "actionUndo")->isEnabled());  // one step to undo, but not now
        QVERIFY(!window.historyDock()->widget()->isEnabled());
        QVERIFY2(statusText(window).contains(QStringLiteral("Export as is reading this model")),
                 qPrintable(statusText(window)));
        QVERIFY(exported.wait(60000) || !exported.isEmpty());
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
        QCOMPARE(openModel(out.toStdString())->find(path)->tensor->contiguousBytes(), atStart);
        QTRY_VERIFY(windowAction(window, "actionUndo")->isEnabled());
        QVERIFY(window.historyDock()->widget()->isEnabled());
        QCOMPARE(a->editor()->apply({Edit::set(path, parseRegion("8, 8"), Scalar::fromReal(5))}),
                 QString());
        dialog->close();
    }

    void cleanupTestCase() { QDir(journalDir_).removeRecursively(); }

  private:
    QTemporaryDir scratch_;
    QString journalDir_;
};

// The child of crashJournalRestores: opens the file, makes three edits and undoes the last,
// says READY and waits to be killed.
int runChild(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    MainWindow window;
    ModelPage* page = showAndOpen(window, QString::fromLocal8Bit(argv[2]));
    if (!page || !selectTensorAndWait(page, kTorchTensor)) return 2;
    ValuesEditController* edits = page->valuesEditing();
    if (!edits->editCell(1, 1, QStringLiteral("0.5")).isEmpty()) return 3;
    selectRange(page, 3, 0, 4, 1);
    if (!edits->applyToSelection(Edit::Kind::Scale, Scalar::fromInt(-1)).isEmpty()) return 4;
    selectRange(page, 7, 0, 7, 2);
    if (!edits->applyToSelection(Edit::Kind::Add, Scalar::fromReal(0.25)).isEmpty()) return 5;
    page->editor()->undoStack()->undo();
    std::cout << "READY" << std::endl;
    return app.exec();
}

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[1], "--child-edit") == 0) return runChild(argc, argv);
    QApplication app(argc, argv);
    EditingTest test;
    return ws::test::execCountingSkips(&test, argc, argv);
}

#include "test_editing.moc"
