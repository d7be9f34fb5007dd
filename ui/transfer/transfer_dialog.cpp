// SPDX-License-Identifier: GPL-3.0-or-later
#include "transfer/transfer_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "convert/template_transfer.h"
#include "edit/model_reads.h"
#include "export/staged_write.h"
#include "model/error.h"
#include "model/tensor.h"
#include "save/save_model.h"
#include "verify/input_shape.h"

namespace ws::ui {

namespace {

QString statusText(MappingRow::Status s) {
    switch (s) {
        case MappingRow::Status::Ok:
            return QObject::tr("ok");
        case MappingRow::Status::Mismatch:
            return QObject::tr("mismatch");
        case MappingRow::Status::Unchecked:
            break;
    }
    return QObject::tr("not checked");
}

QTableWidgetItem* readOnlyItem(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

// A difference as the table shows it; the exact double stays in Qt::UserRole.
QTableWidgetItem* numberItem(double value) {
    QTableWidgetItem* item = readOnlyItem(QString::number(value, 'g', 4));
    item->setData(Qt::UserRole, value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

// Core messages may span lines (the module loader lists every place it looked).
QString htmlLines(const QString& text) {
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

QColor verdictColor(bool good) {
    return good ? QColor(0x1b, 0x7f, 0x3a) : QColor(0xb3, 0x1d, 0x1d);
}

QTableWidget* makeTable(const QStringList& headers, QWidget* parent) {
    auto* t = new QTableWidget(0, headers.size(), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->setVisible(false);
    t->setSelectionMode(QAbstractItemView::NoSelection);
    t->setWordWrap(false);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

}  // namespace

TransferDialog::TransferDialog(std::shared_ptr<const Model> source, QWidget* parent)
    : QDialog(parent), source_(std::move(source)) {
    saveJob_ = new StagedWrite(this);
    connect(saveJob_, &StagedWrite::finished, this, &TransferDialog::onSaved);
    const bool kerasSource = convert::isKerasModel(*source_);
    setWindowTitle(tr("Transfer weights into a template"));
    resize(1180, 760);
    auto* layout = new QVBoxLayout(this);

    layout->addWidget(new QLabel(
        tr("Source: <b>%1</b> (%2). The template is a %3 file of the same architecture; "
           "everything in it except the transferred weights is kept.")
            .arg(QFileInfo(QString::fromStdString(source_->filePath)).fileName().toHtmlEscaped(),
                 QString::fromUtf8(formatName(source_->format)),
                 kerasSource ? tr("PyTorch") : tr("Keras")),
        this));
    auto* pick = new QHBoxLayout;
    pick->addWidget(new QLabel(tr("Template:"), this));
    template_ = new QLineEdit(this);
    template_->setPlaceholderText(kerasSource ? tr("a PyTorch .pth / .pt of the same model")
                                              : tr("a Keras .h5 / .keras of the same model"));
    connect(template_, &QLineEdit::editingFinished, this, [this] {
        if (template_->text() != templatePath_) setTemplateFile(template_->text());
    });
    pick->addWidget(template_, 1);
    auto* browse = new QPushButton(tr("Browse..."), this);
    connect(browse, &QPushButton::clicked, this, &TransferDialog::chooseTemplate);
    pick->addWidget(browse);
    layout->addLayout(pick);

    auto* mappingBox = new QGroupBox(tr("Mapping (change a template layer to re-pair)"), this);
    auto* mappingLayout = new QVBoxLayout(mappingBox);
    mapping_ = makeTable({tr("Source layer"), tr("Template layer"), tr("Tensors"), tr("Transform"),
                          tr("Source shape"), tr("Template shape"), tr("Status")},
                         mappingBox);
    // Every column as wide as its contents; the tensors column takes the rest of the width.
    mapping_->horizontalHeader()->setStretchLastSection(false);
    mapping_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    mapping_->horizontalHeader()->setSectionResizeMode(TensorsCol, QHeaderView::Stretch);
    mappingLayout->addWidget(mapping_);
    message_ = new QLabel(this);
    message_->setWordWrap(true);
    message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    mappingLayout->addWidget(message_);
    layout->addWidget(mappingBox, 3);

    auto* runRow = new QHBoxLayout;
    runRow->addWidget(new QLabel(tr("Tolerance:"), this));
    tolerance_ = new QDoubleSpinBox(this);
    tolerance_->setDecimals(8);
    tolerance_->setRange(0, 1);
    tolerance_->setSingleStep(1e-6);
    tolerance_->setValue(verify::VerifyOptions().tolerance);
    tolerance_->setToolTip(tr("A layer passes when max|a-b| <= tolerance * max(1, max|y|)"));
    runRow->addWidget(tolerance_);
    runRow->addWidget(new QLabel(tr("Input shape:"), this));
    inputShape_ = new QLineEdit(this);
    inputShape_->setPlaceholderText(tr("from the config"));
    inputShape_->setToolTip(
        tr("The parity check's input without the batch axis, e.g. 60,1 -- "
           "needed when the Keras config leaves a dimension open"));
    inputShape_->setMaximumWidth(160);
    runRow->addWidget(inputShape_);
    apply_ = new QPushButton(tr("Apply and check parity"), this);
    connect(apply_, &QPushButton::clicked, this, &TransferDialog::apply);
    runRow->addWidget(apply_);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 0);  // the forward passes do not report progress
    progress_->setMaximumWidth(180);
    progress_->setVisible(false);
    runRow->addWidget(progress_);
    stage_ = new QLabel(this);
    runRow->addWidget(stage_, 1);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setToolTip(tr("Abandon the running work: its result is discarded, nothing is saved"));
    connect(cancel_, &QPushButton::clicked, this, &TransferDialog::cancel);
    runRow->addWidget(cancel_);
    layout->addLayout(runRow);

    auto* parityBox =
        new QGroupBox(tr("Parity check (same seeded input through both models)"), this);
    auto* parityLayout = new QVBoxLayout(parityBox);
    parity_ = makeTable(
        {tr("Layer pair"), tr("Max abs diff"), tr("Max rel diff"), tr("Max |y|"), tr("Result")},
        parityBox);
    parityLayout->addWidget(parity_);
    summary_ = new QLabel(this);
    summary_->setWordWrap(true);
    parityLayout->addWidget(summary_);
    layout->addWidget(parityBox, 2);

    auto* saveRow = new QHBoxLayout;
    saveAnyway_ = new QCheckBox(tr("Save without a passing parity check"), this);
    connect(saveAnyway_, &QCheckBox::toggled, this, &TransferDialog::updateButtons);
    saveRow->addWidget(saveAnyway_);
    saveRow->addStretch(1);
    save_ = new QPushButton(tr("Save as..."), this);
    connect(save_, &QPushButton::clicked, this, &TransferDialog::chooseSaveFile);
    saveRow->addWidget(save_);
    auto* close = new QPushButton(tr("Close"), this);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    saveRow->addWidget(close);
    layout->addLayout(saveRow);
    // Enter in a field finishes that field (the template path loads through editingFinished):
    // no button of this dialog is a default that Enter would also press, such as Browse.
    for (QPushButton* button : findChildren<QPushButton*>()) button->setAutoDefault(false);
    updateButtons();
}

void TransferDialog::setTemplateFile(const QString& path) {
    templatePath_ = path.isEmpty() ? path : QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    template_->setText(templatePath_);
    stage_->clear();  // a "Saved ..." of the previous template says nothing about this one
    rows_.clear();
    targetLayers_.clear();
    fillMappingTable();
    checkPairing({});
}

void TransferDialog::setRowTarget(int row, const QString& layer) {
    if (row < 0 || row >= int(rows_.size()) || rows_[row].target == layer) return;
    for (MappingRow& other : rows_)
        if (other.target == layer) other.target = rows_[row].target;
    rows_[row].target = layer;
    checkPairing(mappingOf(rows_));
}

void TransferDialog::checkPairing(const TransferMapping& mapping) {
    run_.cancel();
    filled_.reset();
    clearParity();
    pairingOk_ = false;
    showMessage(tr("Pairing the layers..."), false);
    const std::shared_ptr<const Model> source = source_;
    const QString path = templatePath_;
    // Each worker below holds a read of the source: edits of it are refused until it is done
    // (edit/model_reads.h).
    const ModelReadPtr read = std::make_shared<ModelRead>(*source, tr("Transfer weights"));
    check_.start(
        [source, path, mapping, read](const std::atomic<bool>*) {
            const ModelReadScope reading({read});
            return checkMapping(*source, path, mapping);
        },
        [this](const MappingCheck& check) { onChecked(check); });
    updateButtons();
}

void TransferDialog::onChecked(const MappingCheck& check) {
    pairingOk_ = check.ok();
    if (check.ok() || !check.rows.empty()) {
        // Keep the order the user has been looking at (explicit pairs come back sorted by name).
        std::vector<MappingRow> rows = check.rows;
        auto rank = [this](const MappingRow& r) {
            for (std::size_t i = 0; i < rows_.size(); ++i)
                if (rows_[i].key == r.key) return i;
            return rows_.size();
        };
        std::stable_sort(rows.begin(), rows.end(), [&](const MappingRow& a, const MappingRow& b) {
            return rank(a) < rank(b);
        });
        // A pair refused before the core named its layers keeps the names shown so far.
        for (MappingRow& row : rows) {
            const std::size_t old = rank(row);
            if (row.sourceKind.isEmpty() && old < rows_.size()) {
                row.source = rows_[old].source;
                row.sourceKind = rows_[old].sourceKind;
            }
        }
        rows_ = rows;
    } else {
        for (MappingRow& row : rows_) {
            row.status = MappingRow::Status::Unchecked;
            row.reason.clear();
        }
    }
    if (check.ok()) {
        if (targetLayers_.isEmpty())
            for (const MappingRow& r : rows_) targetLayers_ << r.target;
        showMessage(check.notes.isEmpty()
                        ? tr("Every pair converts. Apply to transfer and run the parity check.")
                        : check.notes.join(QLatin1Char('\n')),
                    false);
    } else {
        showMessage(check.error, true);
    }
    fillMappingTable();
    updateButtons();
    Q_EMIT mappingChecked();
}

void TransferDialog::fillMappingTable() {
    mapping_->setRowCount(int(rows_.size()));
    for (int r = 0; r < int(rows_.size()); ++r) {
        const MappingRow& row = rows_[r];
        mapping_->setItem(r, SourceCol,
                          readOnlyItem(QStringLiteral("%1 (%2)").arg(row.source, row.sourceKind)));
        auto* combo = new QComboBox(mapping_);
        combo->addItems(targetLayers_);
        combo->setCurrentText(row.target);
        connect(combo, &QComboBox::textActivated, this,
                [this, r](const QString& layer) { setRowTarget(r, layer); });
        mapping_->setCellWidget(r, TargetCol, combo);
        // The target layer's name also as an item, so the table reads the same without widgets.
        mapping_->setItem(r, TargetCol, readOnlyItem(row.target));
        const bool checked = row.status != MappingRow::Status::Unchecked;
        mapping_->setItem(r, TensorsCol, readOnlyItem(checked ? row.tensors : QString()));
        mapping_->setItem(r, TransformCol, readOnlyItem(checked ? row.transforms : QString()));
        mapping_->setItem(r, SourceShapeCol, readOnlyItem(checked ? row.sourceShapes : QString()));
        mapping_->setItem(r, TargetShapeCol, readOnlyItem(checked ? row.targetShapes : QString()));
        QTableWidgetItem* status = readOnlyItem(statusText(row.status));
        if (checked) status->setForeground(verdictColor(row.status == MappingRow::Status::Ok));
        // The refusal of this very pair, where the message below the table holds the first one.
        for (int c = 0; c < MappingColumns && !row.reason.isEmpty(); ++c)
            if (QTableWidgetItem* item = mapping_->item(r, c)) item->setToolTip(row.reason);
        status->setToolTip(row.reason);
        mapping_->setItem(r, StatusCol, status);
    }
    mapping_->resizeRowsToContents();
}

void TransferDialog::apply() {
    if (!pairingOk_ || busy()) return;
    verify::VerifyOptions options;
    options.tolerance = tolerance_->value();
    try {  // blank: the Keras config's shape
        options.inputShape = verify::parseInputShape(inputShape_->text().toStdString());
    } catch (const Error& e) {
        showSummary(QString::fromStdString(e.what()), false);
        return;
    }
    filled_.reset();
    clearParity();
    progress_->setVisible(true);
    stage_->setText(tr("Transferring and running the parity check (loads libtorch)..."));
    const std::shared_ptr<const Model> source = source_;
    const QString path = templatePath_;
    const TransferMapping mapping = mappingOf(rows_);
    const ModelReadPtr read = std::make_shared<ModelRead>(*source, tr("Transfer weights"));
    run_.start(
        [source, path, mapping, options, read](const std::atomic<bool>* cancel) {
            const ModelReadScope reading({read});
            return transferAndCheckParity(source, path, mapping, options, cancel);
        },
        [this](const ParityRun& run) { onParity(run); });
    updateButtons();
}

bool TransferDialog::busy() const {
    return check_.running() || run_.running() || saveJob_->running();
}

void TransferDialog::cancel() {
    if (saveJob_->running()) {
        saveJob_->cancel();
        progress_->setVisible(false);
        stage_->setText(tr("Save cancelled: the destination was left as it was."));
        updateButtons();
        return;
    }
    const bool wasRunning = busy();
    check_.cancel();
    run_.cancel();  // a result still arriving is dropped: nothing of it is kept or saved
    progress_->setVisible(false);
    if (wasRunning) {
        filled_.reset();
        stage_->setText(tr("Cancelled: the transfer result was discarded, nothing was saved."));
    }
    updateButtons();
}

void TransferDialog::onParity(const ParityRun& run) {
    progress_->setVisible(false);
    stage_->clear();
    if (run.cancelled) {
        stage_->setText(tr("Cancelled: the transfer result was discarded, nothing was saved."));
    } else if (!run.error.isEmpty()) {
        showSummary(tr("<b>Not transferred:</b> %1").arg(htmlLines(run.error)), false);
    } else {
        filled_ = run.filled;
        if (!run.notes.isEmpty()) showMessage(run.notes.join(QLatin1Char('\n')), false);
        if (run.parityError.isEmpty()) {
            parityPassed_ = run.parity.pass;
            fillParityTable(run.parity);
        } else {
            // The weights are in the template, but nothing proves they compute the same.
            showSummary(tr("<b>Transferred, but the parity check could not run:</b> %1")
                            .arg(htmlLines(run.parityError)),
                        false);
        }
    }
    updateButtons();
    Q_EMIT parityFinished();
}

void TransferDialog::fillParityTable(const verify::VerifyOutcome& outcome) {
    std::vector<verify::Difference> rows = outcome.layers;
    rows.push_back(outcome.output);
    parity_->setRowCount(int(rows.size()));
    int failing = 0;
    for (int r = 0; r < int(rows.size()); ++r) {
        const verify::Difference& d = rows[r];
        const bool isOutput = r + 1 == int(rows.size());
        QTableWidgetItem* label =
            readOnlyItem(isOutput ? tr("output") : QString::fromStdString(d.label));
        if (isOutput) {
            QFont bold = label->font();
            bold.setBold(true);
            label->setFont(bold);
        }
        parity_->setItem(r, PairCol, label);
        parity_->setItem(r, MaxAbsCol, numberItem(d.maxAbs));
        parity_->setItem(r, MaxRelCol, numberItem(d.maxRel));
        parity_->setItem(r, ScaleCol, numberItem(d.scale));
        QTableWidgetItem* verdict =
            readOnlyItem(d.shapesDiffer ? tr("FAIL: shapes %1 vs %2")
                                              .arg(QString::fromStdString(shapeToString(d.shapeA)),
                                                   QString::fromStdString(shapeToString(d.shapeB)))
                         : d.pass ? tr("pass")
                                  : tr("FAIL"));
        verdict->setForeground(verdictColor(d.pass));
        parity_->setItem(r, ResultCol, verdict);
        if (!d.pass) ++failing;
    }
    parity_->resizeColumnsToContents();
    const QString input = QString::fromStdString(shapeToString(outcome.input.shape));
    showSummary(
        outcome.pass
            ? tr("<b>Parity: pass</b> -- every layer pair and the output agree within the "
                 "tolerance (input %1). Save the filled template with Save as...")
                  .arg(input)
            : tr("<b>Parity: FAIL</b> -- %1 of %2 rows beyond the tolerance (input %3): the "
                 "filled template does not compute what the source does. Check the mapping.")
                  .arg(failing)
                  .arg(rows.size())
                  .arg(input),
        outcome.pass);
}

void TransferDialog::showSummary(const QString& html, bool good) {
    summary_->setText(html);
    QPalette p = summary_->palette();
    p.setColor(QPalette::WindowText, verdictColor(good));
    summary_->setPalette(p);
}

void TransferDialog::clearParity() {
    parity_->setRowCount(0);
    summary_->clear();
    parityPassed_ = false;
    saveAnyway_->setChecked(false);
}

void TransferDialog::showMessage(const QString& text, bool problem) {
    message_->setText(text);
    QPalette p = message_->palette();
    p.setColor(QPalette::WindowText,
               problem ? verdictColor(false) : palette().color(QPalette::WindowText));
    message_->setPalette(p);
}

void TransferDialog::updateButtons() {
    const bool running = busy();
    apply_->setEnabled(pairingOk_ && !running);
    cancel_->setEnabled(running);
    saveAnyway_->setEnabled(filled_ && !parityPassed_ && !running);
    save_->setEnabled(filled_ && !running && (parityPassed_ || saveAnyway_->isChecked()));
    mapping_->setEnabled(!run_.running() && !saveJob_->running());
}

void TransferDialog::chooseTemplate() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose the template"), QFileInfo(templatePath_).path(),
        tr("Weight files (*.h5 *.hdf5 *.keras *.pt *.pth);;All files (*)"));
    if (!path.isEmpty()) setTemplateFile(path);
}

void TransferDialog::chooseSaveFile() {
    const QString suffix = QFileInfo(templatePath_).suffix();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save the filled template"), QFileInfo(templatePath_).path(),
        tr("Same format as the template (*.%1)").arg(suffix));
    if (!path.isEmpty()) saveTo(path);
}

bool TransferDialog::saveTo(const QString& path) {
    if (!save_->isEnabled()) return false;  // no result, or a failed check not confirmed
    const std::shared_ptr<const Model> filled = filled_;
    // The filled template may still share tensors with the source.
    const ModelReadPtr read = std::make_shared<ModelRead>(*source_, tr("Transfer weights"));
    saveJob_->start(path, [filled, path, read](const std::string& temp, const std::atomic<bool>*) {
        const ModelReadScope reading({read});
        const SaveReport report = saveModel(*filled, temp);
        return StagedWrite::Result{
            {},
            tr("Saved %1 (%2)%3")
                .arg(path, QString::fromStdString(report.format),
                     report.note.empty()
                         ? QString()
                         : QStringLiteral(": ") + QString::fromStdString(report.note))};
    });
    progress_->setVisible(true);
    stage_->setText(tr("Saving %1 ...").arg(path));
    updateButtons();
    return true;
}

void TransferDialog::onSaved(bool ok, const QString& message) {
    progress_->setVisible(false);
    stage_->setText(ok ? message : tr("Not saved: %1").arg(message));
    updateButtons();
    Q_EMIT saveFinished(ok, message);
}

}  // namespace ws::ui
