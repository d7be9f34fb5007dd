// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/export_dialog.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "convert/template_transfer.h"
#include "edit/model_reads.h"
#include "export/staged_write.h"
#include "text/gui_wording.h"

namespace ws::ui {

ExportDialog::ExportDialog(std::shared_ptr<const Model> model, QWidget* parent)
    : QDialog(parent), model_(std::move(model)) {
    write_ = new StagedWrite(this);
    connect(write_, &StagedWrite::finished, this, &ExportDialog::onDone);
    setWindowTitle(tr("Export as"));
    resize(720, 260);
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    format_ = new QComboBox(this);
    for (const ExportFormatInfo& f : exportFormats())
        format_->addItem(tr(f.label), static_cast<int>(f.format));
    form->addRow(tr("Format:"), format_);
    auto* fileRow = new QHBoxLayout;
    file_ = new QLineEdit(this);
    fileRow->addWidget(file_, 1);
    auto* browse = new QPushButton(tr("Browse..."), this);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::chooseFile);
    fileRow->addWidget(browse);
    form->addRow(tr("File:"), fileRow);
    layout->addLayout(form);

    const bool keras = convert::isKerasModel(*model_);
    auto* about = new QLabel(
        keras ? tr("A Keras model as PyTorch .pth is converted (one module per weighted layer, "
                   "PyTorch layouts); safetensors and .npz keep the Keras paths and layouts.")
              : tr("A PyTorch model as Keras .h5 becomes a Keras model with a generated config "
                   "(seed-style recurrent models and nn.Sequential; others need a template: "
                   "use Transfer weights into...); safetensors and .npz keep the state_dict keys."),
        this);
    about->setWordWrap(true);
    layout->addWidget(about);

    // A file name next to the source with the chosen format's suffix, as a starting point.
    const QFileInfo source(QString::fromStdString(model_->filePath));
    file_->setText(QDir(source.path())
                       .filePath(source.completeBaseName() + QStringLiteral("-export.") +
                                 QLatin1String(exportFormats().front().suffix)));
    connect(format_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        QFileInfo f(file_->text());
        file_->setText(
            QDir(f.path()).filePath(f.completeBaseName() + QLatin1Char('.') +
                                    QLatin1String(exportFormatInfo(currentFormat()).suffix)));
    });

    auto* runRow = new QHBoxLayout;
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 0);  // the writers do not report progress
    progress_->setVisible(false);
    runRow->addWidget(progress_, 1);
    export_ = new QPushButton(tr("Export"), this);
    connect(export_, &QPushButton::clicked, this, &ExportDialog::startExport);
    runRow->addWidget(export_);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Abandon the export: the destination is left untouched"));
    connect(cancel_, &QPushButton::clicked, this, &ExportDialog::cancel);
    runRow->addWidget(cancel_);
    auto* close = new QPushButton(tr("Close"), this);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    runRow->addWidget(close);
    layout->addLayout(runRow);
    message_ = new QLabel(this);
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    message_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // A conversion's notes run long: they scroll instead of being cut off at the dialog's edge.
    auto* messageScroll = new QScrollArea(this);
    messageScroll->setWidget(message_);
    messageScroll->setWidgetResizable(true);
    messageScroll->setFrameShape(QFrame::NoFrame);
    layout->addWidget(messageScroll, 1);
    updateButtons();
}

ExportFormat ExportDialog::currentFormat() const {
    return static_cast<ExportFormat>(format_->currentData().toInt());
}

void ExportDialog::setFormat(ExportFormat format) {
    format_->setCurrentIndex(format_->findData(static_cast<int>(format)));
}

void ExportDialog::setFileName(const QString& path) { file_->setText(path); }

void ExportDialog::chooseFile() {
    const ExportFormatInfo& f = exportFormatInfo(currentFormat());
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export as"), file_->text(),
                                     tr("%1 (*.%2)").arg(tr(f.label), QLatin1String(f.suffix)));
    if (!path.isEmpty()) file_->setText(path);
}

bool ExportDialog::busy() const { return write_->running(); }

void ExportDialog::startExport() {
    if (busy()) return;
    const ExportFormat format = currentFormat();
    QString path = file_->text().trimmed();
    const QString suffix = QLatin1String(exportFormatInfo(format).suffix);
    if (path.isEmpty()) {
        showResult(false, tr("Choose a file name."));
        return;
    }
    // The core picks the writer by suffix: another weight-file suffix is replaced ("m.pt" ->
    // "m.pth", not "m.pt.pth"), anything else is kept and the format's suffix added.
    const QFileInfo info(path);
    static const QStringList weightSuffixes = {"h5", "hdf5",        "keras", "pth",
                                               "pt", "safetensors", "npz",   "npy"};
    if (info.suffix() != suffix) {
        if (weightSuffixes.contains(info.suffix().toLower())) path.chop(info.suffix().size() + 1);
        path += QLatin1Char('.') + suffix;
    }
    file_->setText(path);
    const std::shared_ptr<const Model> model = model_;
    // Edits of the model are refused until the file is written (edit/model_reads.h).
    const ModelReadPtr read = std::make_shared<ModelRead>(*model, tr("Export as"));
    write_->start(path, [model, format, path, read](const std::string& temp,
                                                    const std::atomic<bool>* cancel) {
        const ModelReadScope reading({read});
        const ExportOutcome outcome = exportAs(*model, format, temp, cancel);
        QString text = tr("Exported %1 (%2).").arg(path, outcome.written);
        if (!outcome.notes.isEmpty())
            text += QLatin1Char('\n') + outcome.notes.join(QLatin1Char('\n'));
        return StagedWrite::Result{inGuiWords(outcome.error), inGuiWords(text)};
    });
    progress_->setVisible(true);
    showResult(true, tr("Exporting to %1 ...").arg(path));
    updateButtons();
}

void ExportDialog::cancel() {
    if (!busy()) return;
    write_->cancel();
    progress_->setVisible(false);
    showResult(false, tr("Export cancelled: nothing was written."));
    updateButtons();
    Q_EMIT finished(false, message_->text());
}

void ExportDialog::onDone(bool ok, const QString& message) {
    progress_->setVisible(false);
    updateButtons();
    showResult(ok, ok ? message : tr("Not exported: %1").arg(message));
    Q_EMIT finished(ok, message_->text());
}

void ExportDialog::showResult(bool ok, const QString& text) {
    message_->setText(text);
    QPalette p = message_->palette();
    p.setColor(QPalette::WindowText,
               ok ? palette().color(QPalette::WindowText) : QColor(0xb3, 0x1d, 0x1d));
    message_->setPalette(p);
}

void ExportDialog::updateButtons() {
    export_->setEnabled(!busy());
    cancel_->setEnabled(busy());
    format_->setEnabled(!busy());
}

}  // namespace ws::ui
