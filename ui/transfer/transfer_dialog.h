// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// "Transfer weights into...": fills a template of the other framework (a Keras .h5 for a PyTorch
// model, a PyTorch file for a Keras model) with the open model's weights.
//   1. pick the template; the mapping table shows the core's pairing (source layer -> template
//      layer, tensors, transform, shapes, ok / mismatch); the template layer of each row can be
//      changed (the two rows involved swap), which re-runs the check;
//   2. Apply transfers on a worker thread and runs the parity check (the same forward passes as
//      `weightsmith-cli verify`), with a progress bar and Cancel (the result is then discarded
//      and nothing is saved);
//   3. the parity table shows every layer pair's and the output's max differences and pass/fail;
//   4. Save as... writes the filled template through saveModel (on a worker, via StagedWrite:
//      Cancel leaves the destination untouched) -- only after a passing check, or when the user
//      explicitly ticks "save without a passing parity check".
#include <QDialog>
#include <memory>
#include <vector>

#include "inspect/latest_job.h"
#include "model/model.h"
#include "transfer/mapping_check.h"
#include "transfer/parity_run.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace ws::ui {

class StagedWrite;

class TransferDialog : public QDialog {
    Q_OBJECT
  public:
    enum MappingColumn {
        SourceCol,
        TargetCol,
        TensorsCol,
        TransformCol,
        SourceShapeCol,
        TargetShapeCol,
        StatusCol,
        MappingColumns
    };
    enum ParityColumn { PairCol, MaxAbsCol, MaxRelCol, ScaleCol, ResultCol, ParityColumns };

    explicit TransferDialog(std::shared_ptr<const Model> source, QWidget* parent = nullptr);

    // Picks the template and checks the default pairing (asynchronously: mappingChecked()).
    void setTemplateFile(const QString& path);
    // What choosing `layer` in row's template-layer combo does: swaps it with the row that had
    // it and checks the new pairing.
    void setRowTarget(int row, const QString& layer);
    // Applies the mapping and runs the parity check (parityFinished() when shown).
    void apply();
    void cancel();
    // Starts saving the filled template (saveFinished() follows); false when Save is not
    // offered (no result, or a failed check not confirmed).
    bool saveTo(const QString& path);

    QTableWidget* mappingTable() const { return mapping_; }
    QTableWidget* parityTable() const { return parity_; }
    QPushButton* applyButton() const { return apply_; }
    QPushButton* saveButton() const { return save_; }
    QPushButton* cancelButton() const { return cancel_; }
    QCheckBox* saveAnywayBox() const { return saveAnyway_; }
    QLabel* messageLabel() const { return message_; }
    QLabel* paritySummary() const { return summary_; }
    QDoubleSpinBox* toleranceBox() const { return tolerance_; }
    QLineEdit* templateEdit() const { return template_; }
    QLineEdit* inputShapeEdit() const { return inputShape_; }
    bool busy() const;

  Q_SIGNALS:
    void mappingChecked();
    void parityFinished();
    // ok: the file is in place; message: what was written, or why not.
    void saveFinished(bool ok, const QString& message);

  private:
    void checkPairing(const TransferMapping& mapping);
    void onChecked(const MappingCheck& check);
    void onParity(const ParityRun& run);
    void fillMappingTable();
    void fillParityTable(const verify::VerifyOutcome& outcome);
    void clearParity();
    void showSummary(const QString& html, bool good);
    void showMessage(const QString& text, bool problem);
    void chooseTemplate();
    void chooseSaveFile();
    void onSaved(bool ok, const QString& message);
    void updateButtons();

    std::shared_ptr<const Model> source_;
    QString templatePath_;
    std::vector<MappingRow> rows_;
    QStringList targetLayers_;  // the template's weighted layers, for the combos
    bool pairingOk_ = false;
    std::shared_ptr<Model> filled_;  // after Apply: the template with the weights
    bool parityPassed_ = false;

    LatestJob<MappingCheck> check_{this, longJobPool()};
    LatestJob<ParityRun> run_{this, longJobPool()};
    StagedWrite* saveJob_ = nullptr;

    QLineEdit* template_ = nullptr;
    QTableWidget* mapping_ = nullptr;
    QLabel* message_ = nullptr;
    QDoubleSpinBox* tolerance_ = nullptr;
    QLineEdit* inputShape_ = nullptr;
    QPushButton* apply_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* stage_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QTableWidget* parity_ = nullptr;
    QLabel* summary_ = nullptr;
    QCheckBox* saveAnyway_ = nullptr;
    QPushButton* save_ = nullptr;
};

}  // namespace ws::ui
