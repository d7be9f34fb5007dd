// SPDX-License-Identifier: GPL-3.0-or-later
// The `weightsmith` desktop application: parses the command line and shows the main window.
// Everything else lives in the weightsmith_ui library so tests can drive it.
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QSettings>
#include <QTimer>

#include "about/about.h"
#include "window/first_paint_probe.h"
#include "window/main_window.h"
#include "window/screenshot_session.h"

int main(int argc, char** argv) {
    QElapsedTimer sinceMain;
    sinceMain.start();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Weightsmith"));
    QApplication::setOrganizationName(QStringLiteral("Weightsmith"));
    QApplication::setApplicationVersion(QString::fromUtf8(ws::about::version()));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/weightsmith/icons/weightsmith.png")));
    // The installed .desktop file's id (packaging/): on Wayland the shell finds the window's
    // icon and name through it.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.weightsmith.Weightsmith"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Inspect Keras, PyTorch and safetensors weight files."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Model files to open."),
                                 QStringLiteral("[files...]"));
    // Hidden options for scripts/screenshots.sh: render one view of one file to a PNG and exit.
    QCommandLineOption shot(QStringLiteral("screenshot"), QStringLiteral("Save a PNG and quit."),
                            QStringLiteral("out.png"));
    QCommandLineOption select(QStringLiteral("select"), QStringLiteral("Node path to select."),
                              QStringLiteral("path"));
    QCommandLineOption view(QStringLiteral("view"),
                            QStringLiteral("heatmap|tiles|histogram|values|layer|start"),
                            QStringLiteral("view"), QStringLiteral("heatmap"));
    QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size WxH."),
                            QStringLiteral("WxH"), QStringLiteral("1400x860"));
    for (QCommandLineOption* o : {&shot, &select, &view, &size}) {
        o->setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(*o);
    }
    parser.process(app);

    ws::ui::MainWindow window;
    bool interactive = false;  // not a screenshot or a measurement: may ask questions
    if (parser.isSet(shot)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        if (wh.size() == 2) window.resize(wh[0].toInt(), wh[1].toInt());
        new ws::ui::ScreenshotSession(
            &window, {parser.value(shot), parser.value(select), parser.value(view)});
    } else if (!ws::ui::FirstPaintProbe::installIfRequested(&window, sinceMain)) {
        window.restoreGeometry(QSettings().value(QStringLiteral("window/geometry")).toByteArray());
        interactive = true;
    }
    window.show();
    for (const QString& file : parser.positionalArguments()) window.openFile(file);
    // Edits a crashed session left in its journal: offered once the window is up.
    if (interactive) QTimer::singleShot(0, &window, [&window] { window.offerJournalRestore(); });
    return app.exec();
}
