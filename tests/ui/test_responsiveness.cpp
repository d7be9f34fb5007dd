// SPDX-License-Identifier: GPL-3.0-or-later
// The window keeps painting while a large model loads: the longest gap between 10 ms timer
// ticks on the GUI thread during the whole load must stay far below what a user notices.
#include <QApplication>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTimer>

#include "tree/model_tree_model.h"
#include "ui_test_support.h"

using namespace ws;
using namespace ws::ui;
using namespace ws::test;

class ResponsivenessTest : public QObject {
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void loadingALargeModelKeepsTheWindowResponsive() {
        // 1 GiB of f32 in 16384 tensors of 128 x 128: many entries make the header (and the
        // tree) big enough that reading it on the GUI thread would freeze the window for
        // seconds. Written sparse so that creating it is quick; opening reads the header only.
        const QString path = QStringLiteral(WS_TEST_OUTPUT_DIR "/large_model.safetensors");
        std::vector<SafetensorsEntry> entries;
        for (int layer = 0; layer < 2048; ++layer)
            for (const char* part : {"q", "k", "v", "o", "up", "down", "gate", "norm"})
                entries.push_back(
                    {QStringLiteral("layers.%1.%2.weight").arg(layer).arg(QLatin1String(part)),
                     {128, 128},
                     {}});
        QVERIFY(writeSafetensors(path, entries));
        QVERIFY(QFileInfo(path).size() > (qint64(1) << 30));

        MainWindow window;
        window.setQuietErrors(true);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        LongestTimerGap gap;
        ModelPage* page = openAndWait(window, path);
        QTest::qWait(100);  // the tick after the tab appeared measures building the tree view
        const qint64 longestGap = gap.stop();
        QVERIFY(page);
        QCOMPARE(page->treeModel()->totals(page->model()->root.get()).tensors,
                 qint64(entries.size()));
        qInfo("load took %lld ms; longest gap between 10 ms ticks: %lld ms", gap.elapsed(),
              longestGap);
        QVERIFY2(longestGap < 250,
                 qPrintable(QStringLiteral("GUI thread blocked for %1 ms").arg(longestGap)));
        QFile::remove(path);
    }
};

WS_QTEST_MAIN(ResponsivenessTest)
#include "test_responsiveness.moc"
