// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared helpers for the UI tests: locating real fixtures (SKIP when absent), opening a file in a
// MainWindow and selecting a node, each waiting for the asynchronous work to finish.
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>
#include <algorithm>
#include <cstdio>

#include "inspect/tensor_inspector.h"
#include "layer/layer_overview.h"
#include "window/main_window.h"
#include "window/model_loader.h"
#include "window/model_page.h"

namespace ws::test {

// The exit code ctest counts as a skip (SKIP_RETURN_CODE in tests/ui/CMakeLists.txt).
constexpr int kSkipExitCode = 77;

// WS_FIXTURES from the environment wins over the compiled-in default.
inline QString fixturesDir() {
    const QByteArray env = qgetenv("WS_FIXTURES");
    return env.isEmpty() ? QStringLiteral(WS_FIXTURES_DIR) : QString::fromLocal8Bit(env);
}

inline QString fixture(const QString& relative) {
    const QString path = QDir(fixturesDir()).filePath(relative);
    return QFileInfo::exists(path) ? path : QString();
}

// The example model bundled with the app (resources/examples), a PyTorch LSTM state_dict.
inline QString seedExamplePath() {
    return QDir(QStringLiteral(WS_EXAMPLES_DIR))
        .filePath(QStringLiteral("seed_lstm_state_dict.pth"));
}

// Opens path and returns its page once loaded (null on error or timeout).
inline ui::ModelPage* openAndWait(ui::MainWindow& window, const QString& path) {
    QSignalSpy added(&window, &ui::MainWindow::pageAdded);
    QSignalSpy focused(&window, &ui::MainWindow::pageFocused);  // one tab per file: already open
    QSignalSpy failed(&window, &ui::MainWindow::errorOccurred);
    window.openFile(path);
    // Generous: a reader may legitimately take a while on a slow, shared machine.
    for (int i = 0; i < 2400 && added.isEmpty() && focused.isEmpty() && failed.isEmpty(); ++i)
        QTest::qWait(50);
    if (!failed.isEmpty())
        qWarning("open failed: %s", qPrintable(failed.first().first().toString()));
    if (!focused.isEmpty()) return focused.first().first().value<ui::ModelPage*>();
    return added.isEmpty() ? nullptr : added.first().first().value<ui::ModelPage*>();
}

// A tab of `path` in its first state even when the file is open already (one tab per file:
// opening it would only focus that tab, with its selection): the open, clean tab is closed
// first. For a window shared by several scenarios.
inline ui::ModelPage* openFresh(ui::MainWindow& window, const QString& path) {
    auto* tabs = window.findChild<QTabWidget*>();
    const QString wanted = QFileInfo(path).absoluteFilePath();
    for (int i = tabs ? tabs->count() - 1 : -1; i >= 0; --i)
        if (ui::ModelPage* p = window.pageAt(i); p && p->filePath() == wanted)
            Q_EMIT tabs->tabCloseRequested(i);
    return openAndWait(window, path);
}

// The usual start of a scenario: the window shown, errors kept out of dialogs, path open.
inline ui::ModelPage* showAndOpen(ui::MainWindow& window, const QString& path) {
    window.setQuietErrors(true);
    window.show();
    return openAndWait(window, path);
}

// Selects a tensor and waits until the inspector's views hold its values.
inline bool selectTensorAndWait(ui::ModelPage* page, const QString& path) {
    QSignalSpy shown(page->inspector(), &ui::TensorInspector::dataShown);
    if (!page->selectPath(path)) return false;
    return shown.wait(30000) || !shown.isEmpty();
}

#define WS_REQUIRE_FIXTURE(var, relative)                                  \
    const QString var = ws::test::fixture(QStringLiteral(relative));       \
    if (var.isEmpty())                                                     \
    QSKIP(qPrintable(QStringLiteral("SKIP: fixture %1 not found under %2") \
                         .arg(QStringLiteral(relative), ws::test::fixturesDir())))

}  // namespace ws::test

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <vector>

namespace ws::test {

// Runs `script` (Python source) with the oracle Python, `args` as sys.argv[1:]. True when it
// ran and exited 0; `out` and `err` (when given) receive its stdout and stderr.
inline bool runOraclePython(const QString& script, const QStringList& args, QByteArray* out,
                            QByteArray* err = nullptr) {
    QProcess p;
    p.start(QStringLiteral(WS_ORACLE_PYTHON), QStringList{QStringLiteral("-c"), script} + args);
    // Generous: torch's import alone can take a while on a slow, shared machine.
    const bool ok =
        p.waitForFinished(180000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (out) *out = p.readAllStandardOutput();
    if (err) *err = p.readAllStandardError();
    return ok;
}

// tests/formats: its Python modules define the torch models and oracles the UI tests reuse.
inline QString formatsTestDir() { return QStringLiteral(WS_FORMATS_TEST_DIR); }

// Values of one tensor as real PyTorch reads them (flattened, C order); empty when torch is not
// available. The oracle keeps the UI tests honest: they compare the views with torch, not with
// our own reader.
inline std::vector<double> torchValues(const QString& file, const QString& key) {
    QByteArray printed;
    if (!runOraclePython(
            QStringLiteral("import sys, torch\n"
                           "obj = torch.load(sys.argv[1], map_location='cpu')\n"
                           "for part in sys.argv[2].split('/'): obj = obj[part]\n"
                           "print(' '.join(repr(float(x)) for x in obj.flatten().tolist()))\n"),
            {file, key}, &printed))
        return {};
    std::vector<double> out;
    for (const QByteArray& tok : printed.simplified().split(' '))
        if (!tok.isEmpty()) out.push_back(tok == "nan" ? qQNaN() : tok.toDouble());
    return out;
}

// Values of one HDF5 dataset as h5py reads them (flattened, C order); empty without h5py.
inline std::vector<double> h5pyValues(const QString& file, const QString& dataset) {
    QByteArray printed;
    if (!runOraclePython(QStringLiteral("import sys, h5py\n"
                                        "with h5py.File(sys.argv[1], 'r') as f:\n"
                                        "    v = f[sys.argv[2]][()].reshape(-1)\n"
                                        "print(' '.join(repr(float(x)) for x in v))\n"),
                         {file, dataset}, &printed))
        return {};
    std::vector<double> out;
    for (const QByteArray& tok : printed.simplified().split(' '))
        if (!tok.isEmpty()) out.push_back(tok.toDouble());
    return out;
}

// A safetensors file (8-byte header length, JSON header, raw little-endian data) of F32 tensors.
// The format is simple enough to write by its specification; tests use it for values no fixture
// has (NaN, Inf) and for a large model.
struct SafetensorsEntry {
    QString name;
    std::vector<qint64> shape;
    std::vector<float> values;  // empty: the data stays zeros (a sparse file)
};

inline bool writeSafetensors(const QString& path, const std::vector<SafetensorsEntry>& entries) {
    QJsonObject header;
    qint64 offset = 0;
    for (const auto& e : entries) {
        qint64 n = 1;
        QJsonArray shape;
        for (qint64 d : e.shape) {
            n *= d;
            shape.append(d);
        }
        QJsonObject t;
        t.insert(QStringLiteral("dtype"), QStringLiteral("F32"));
        t.insert(QStringLiteral("shape"), shape);
        t.insert(QStringLiteral("data_offsets"), QJsonArray{offset, offset + n * 4});
        header.insert(e.name, t);
        offset += n * 4;
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8) json.append(' ');
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) return false;
    const quint64 len = quint64(json.size());
    char lenBytes[8];
    for (int i = 0; i < 8; ++i) lenBytes[i] = char((len >> (8 * i)) & 0xff);
    f.write(lenBytes, 8);
    f.write(json);
    const qint64 dataStart = f.pos();
    qint64 at = 0;
    for (const auto& e : entries) {
        qint64 n = 1;
        for (qint64 d : e.shape) n *= d;
        if (!e.values.empty()) {
            f.seek(dataStart + at);
            f.write(reinterpret_cast<const char*>(e.values.data()), qint64(e.values.size() * 4));
        }
        at += n * 4;
    }
    return f.resize(dataStart + offset);  // zero-filled (sparse) where no values were written
}

// Measures how long the GUI thread was away: the longest gap between 10 ms timer ticks from
// construction to stop(). A responsive window keeps it far below what a user notices.
class LongestTimerGap {
  public:
    LongestTimerGap() {
        ticker_.setInterval(10);
        QObject::connect(&ticker_, &QTimer::timeout, [this] {
            const qint64 now = clock_.elapsed();
            longest_ = std::max(longest_, now - last_);
            last_ = now;
        });
        clock_.start();
        ticker_.start();
    }
    // The longest gap in ms (the tick after the last work measures that work too).
    qint64 stop() {
        ticker_.stop();
        return longest_;
    }
    qint64 elapsed() const { return clock_.elapsed(); }

  private:
    QElapsedTimer clock_;
    QTimer ticker_;
    qint64 last_ = 0, longest_ = 0;
};

// The warnings in a QtTest text log that a clean run must not print: a warning from Qt (an
// ambiguous shortcut, a bad connection) is a bug even when every check passed. Tests that
// provoke one on purpose declare it with QTest::ignoreMessage, which keeps it out of the log.
inline QByteArrayList unexpectedQtWarnings(const QByteArray& log) {
    // Benign on the offscreen platform: it has no window manager to pass size hints or a
    // raise() to.
    static const QByteArrayList allowed = {"does not support propagateSizeHints()",
                                           "does not support raise()"};
    QByteArrayList out;
    for (const QByteArray& line : log.split('\n')) {
        if (!line.startsWith("QWARN  :") && !line.startsWith("QCRITICAL:")) continue;
        if (std::none_of(allowed.begin(), allowed.end(),
                         [&line](const QByteArray& a) { return line.contains(a); }))
            out << line;
    }
    return out;
}

// QTest::qExec, except that a run which skipped a test function (and failed none) exits with
// ctest's skip code: QtTest exits 0 after a QSKIP, which would let a test that could not run
// pass; and that a run which printed an unexpected Qt warning fails. The log goes to stdout as
// usual and, to count the skips, to a file beside it.
inline int execCountingSkips(QObject* test, int argc, char** argv) {
    QStringList args;
    for (int i = 0; i < argc; ++i) args << QString::fromLocal8Bit(argv[i]);
    if (args.contains(QStringLiteral("-o"))) return QTest::qExec(test, args);  // caller's own log
    QTemporaryDir dir;
    const QString log = dir.filePath(QStringLiteral("log.txt"));
    args << QStringLiteral("-o") << log + QStringLiteral(",txt") << QStringLiteral("-o")
         << QStringLiteral("-,txt");
    const int failures = QTest::qExec(test, args);
    QFile file(log);
    if (failures != 0 || !file.open(QIODevice::ReadOnly)) return failures;
    const QByteArray text = file.readAll();
    if (const QByteArrayList warnings = unexpectedQtWarnings(text); !warnings.isEmpty()) {
        for (const QByteArray& w : warnings)
            std::fprintf(stderr, "FAIL on warning: %s\n", w.data());
        return 1;
    }
    const bool skipped = text.contains("\nSKIP   :");
    return skipped ? kSkipExitCode : 0;
}

}  // namespace ws::test

// QTEST_MAIN for a widget test, with execCountingSkips.
#define WS_QTEST_MAIN(TestObject)                              \
    int main(int argc, char** argv) {                          \
        QApplication app(argc, argv);                          \
        TestObject test;                                       \
        return ws::test::execCountingSkips(&test, argc, argv); \
    }
