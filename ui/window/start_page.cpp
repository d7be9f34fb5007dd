// SPDX-License-Identifier: GPL-3.0-or-later
#include "window/start_page.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace ws::ui {

StartPage::StartPage(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("startPage"));
    auto* outer = new QHBoxLayout(this);
    auto* column = new QWidget(this);
    column->setMaximumWidth(640);
    outer->addStretch(1);
    outer->addWidget(column, 3);
    outer->addStretch(1);
    auto* layout = new QVBoxLayout(column);
    layout->addStretch(1);

    auto* title = new QLabel(tr("<h1>Weightsmith</h1>"), column);
    layout->addWidget(title);
    auto* intro =
        new QLabel(tr("Inspect, edit, compare and convert neural-network weight files."), column);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* buttons = new QHBoxLayout;
    auto* open = new QPushButton(tr("Open a model... (Ctrl+O)"), column);
    open->setObjectName(QStringLiteral("startOpen"));
    connect(open, &QPushButton::clicked, this, &StartPage::browseRequested);
    buttons->addWidget(open);
    example_ = new QPushButton(tr("Open the example model"), column);
    example_->setObjectName(QStringLiteral("startExample"));
    example_->setToolTip(tr("A small PyTorch LSTM state_dict bundled with Weightsmith"));
    const QString example = exampleModelPath();
    example_->setEnabled(!example.isEmpty());
    connect(example_, &QPushButton::clicked, this,
            [this, example] { Q_EMIT openRequested(example); });
    buttons->addWidget(example_);
    buttons->addStretch(1);
    layout->addLayout(buttons);

    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("<b>Recent files</b>"), column));
    recent_ = new QListWidget(column);
    recent_->setObjectName(QStringLiteral("startRecent"));
    recent_->setMaximumHeight(180);
    connect(recent_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        Q_EMIT openRequested(item->data(Qt::UserRole).toString());
    });
    layout->addWidget(recent_);
    noRecent_ = new QLabel(tr("None yet: the files you open are listed here."), column);
    layout->addWidget(noRecent_);

    layout->addSpacing(12);
    auto* drop = new QLabel(tr("Or drop a weight file anywhere in this window."), column);
    layout->addWidget(drop);
    auto* formats = new QLabel(tr("<b>Reads</b><ul><li>%1</li></ul>")
                                   .arg(readableFormats().join(QStringLiteral("</li><li>"))),
                               column);
    formats->setWordWrap(true);
    layout->addWidget(formats);
    layout->addStretch(2);
    setRecentFiles({});
}

void StartPage::setRecentFiles(const QStringList& files) {
    recent_->clear();
    for (const QString& f : files) {
        // The name first (what people recognise), the folder after it.
        auto* item = new QListWidgetItem(
            tr("%1  —  %2").arg(QFileInfo(f).fileName(), QFileInfo(f).path()), recent_);
        item->setData(Qt::UserRole, f);
        item->setToolTip(f);
    }
    recent_->setVisible(!files.isEmpty());
    noRecent_->setVisible(files.isEmpty());
}

QString StartPage::exampleModelPath() {
    const QString leaf = QStringLiteral("seed_lstm_state_dict.pth");
    const QStringList folders = {
        // Installed: bin/weightsmith and share/weightsmith/examples.
        QDir(QCoreApplication::applicationDirPath())
            .absoluteFilePath(QStringLiteral("../share/weightsmith/examples")),
        QStringLiteral("/usr/share/weightsmith/examples"),
        // Run from a build: the source tree's copy.
        QStringLiteral(WS_SOURCE_EXAMPLES_DIR),
    };
    for (const QString& folder : folders) {
        const QString path = QDir(folder).filePath(leaf);
        if (QFileInfo::exists(path)) return QDir::cleanPath(path);
    }
    return {};
}

QStringList StartPage::readableFormats() {
    return {tr("Keras: .h5 (Keras 1, 2 and 3), .keras, .weights.h5"),
            tr("PyTorch: .pth / .pt / .bin / .ckpt — state_dicts, checkpoints, whole pickled "
               "models, legacy files, TorchScript archives (read without running any code)"),
            tr("safetensors: .safetensors")};
}

}  // namespace ws::ui
