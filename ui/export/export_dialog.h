// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// "Export as...": the open model (as edited) to Keras .h5, PyTorch .pth, safetensors or .npz
// (export_as.h says what each means across frameworks). The file is written on a worker thread
// through StagedWrite: Cancel leaves the destination untouched.
#include <QDialog>
#include <memory>

#include "export/export_as.h"
#include "model/model.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace ws::ui {

class StagedWrite;

class ExportDialog : public QDialog {
    Q_OBJECT
  public:
    explicit ExportDialog(std::shared_ptr<const Model> model, QWidget* parent = nullptr);

    void setFormat(ExportFormat format);
    void setFileName(const QString& path);
    void startExport();
    void cancel();
    bool busy() const;

    QComboBox* formatBox() const { return format_; }
    QLineEdit* fileEdit() const { return file_; }
    QPushButton* exportButton() const { return export_; }
    QPushButton* cancelButton() const { return cancel_; }
    QLabel* messageLabel() const { return message_; }

  Q_SIGNALS:
    // ok: the file is in place; message: what was written, or the core's refusal / "cancelled".
    void finished(bool ok, const QString& message);

  private:
    ExportFormat currentFormat() const;
    void chooseFile();
    void onDone(bool ok, const QString& message);
    void showResult(bool ok, const QString& text);
    void updateButtons();

    std::shared_ptr<const Model> model_;
    StagedWrite* write_ = nullptr;

    QComboBox* format_ = nullptr;
    QLineEdit* file_ = nullptr;
    QPushButton* export_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QLabel* message_ = nullptr;
};

}  // namespace ws::ui
