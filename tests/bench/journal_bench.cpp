// SPDX-License-Identifier: GPL-3.0-or-later
// Crash-journal benchmark (issue 18): on a model of four (2048, 2048) f32 tensors (64 MiB), the
// GUI's ModelEditor makes one bulk edit of all 64 MiB (one undo step), saves in place, then 100
// single-cell edits, each from its own event-loop turn as a user's would be. The UI tests'
// LongestTimerGap (10 ms ticks) measures the longest gap of the event loop in each phase; the
// journal's size is read after each. Prints one Markdown table row per phase.
//   ws_journal_bench MODEL.pth JOURNAL_DIR
#include <sys/stat.h>
#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "edit/model_editor.h"
#include "formats/open_model.h"
#include "ui_test_support.h"

using namespace ws;

namespace {

std::uint64_t fileSize(const QString& file) {
    struct stat st {};
    return ::stat(file.toLocal8Bit().constData(), &st) == 0 ? std::uint64_t(st.st_size) : 0;
}

// Runs the steps one per event-loop turn, then quits the loop.
void runInTurns(const std::vector<std::function<void()>>& steps) {
    std::size_t next = 0;
    QTimer turn;
    turn.setInterval(0);
    QEventLoop loop;
    QObject::connect(&turn, &QTimer::timeout, [&] {
        if (next == steps.size()) {
            loop.quit();
            return;
        }
        steps[next++]();
    });
    turn.start();
    loop.exec();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: ws_journal_bench MODEL.pth JOURNAL_DIR\n");
        return 2;
    }
    qputenv("WS_JOURNAL_DIR", argv[2]);
    QApplication app(argc, argv);
    const QString file = QString::fromLocal8Bit(argv[1]);
    ui::ModelEditor editor(openModel(file.toStdString()), file);
    QElapsedTimer wall;
    auto row = [&](const char* phase, test::LongestTimerGap& gap) {
        const double ms = double(wall.nsecsElapsed()) / 1e6;
        std::printf("| %s | %.1f | %lld | %llu |\n", phase, ms, (long long)gap.stop(),
                    (unsigned long long)fileSize(editor.journalFile()));
    };
    auto bulk = std::make_unique<test::LongestTimerGap>();
    wall.start();
    runInTurns({[&] {
        std::vector<Edit> all;
        for (int i = 0; i < 4; ++i)
            all.push_back(
                Edit::scale("big" + std::to_string(i), parseRegion(""), Scalar::fromReal(2)));
        if (!editor.apply(all).isEmpty()) std::abort();
    }});
    row("bulk edit of 64 MiB (one step)", *bulk);

    auto save = std::make_unique<test::LongestTimerGap>();
    wall.start();
    runInTurns({[&] {
        if (!editor.save(file).isEmpty()) std::abort();
    }});
    row("save in place", *save);

    std::vector<std::function<void()>> cells;
    for (int i = 0; i < 100; ++i)
        cells.push_back([&editor, i] {
            const std::string at = std::to_string(i) + ", " + std::to_string(i);
            if (!editor.apply({Edit::set("big1", parseRegion(at), Scalar::fromReal(i))}).isEmpty())
                std::abort();
        });
    auto single = std::make_unique<test::LongestTimerGap>();
    wall.start();
    runInTurns(cells);
    row("100 single-cell edits after it", *single);
    return 0;
}
