// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// "Export as..." without the dialog: one open model written as a Keras .h5, a PyTorch .pth, a
// safetensors or a .npz file. Across frameworks the core's conversion is used, never a raw copy
// of names and layouts:
//   - a Keras model as .pth: the standalone Keras -> PyTorch conversion (keras_to_torch.h);
//   - a PyTorch model as .h5: the generated Keras model (torch_to_keras_model.h), which the core
//     refuses, with its message, for architectures a state_dict does not determine.
// Within a framework, and for safetensors / .npz, the tensors are exported by their paths
// (export/export_model.h).
#include <QString>
#include <QStringList>
#include <atomic>
#include <string>
#include <vector>

#include "model/model.h"

namespace ws::ui {

enum class ExportFormat { KerasH5, TorchPth, Safetensors, Npz };

struct ExportFormatInfo {
    ExportFormat format;
    const char* label;   // "Keras .h5"
    const char* suffix;  // "h5"
};

// The four formats in the order the dialog offers them.
const std::vector<ExportFormatInfo>& exportFormats();
const ExportFormatInfo& exportFormatInfo(ExportFormat format);

struct ExportOutcome {
    QString written;    // what was written ("generated Keras model, 18 tensors")
    QStringList notes;  // the core's notes and warnings
    QString error;      // the core's refusal; empty on success
    bool cancelled = false;
};

// Writes `model` as `format` to `path` (whose suffix must be the format's: the core picks the
// writer by it). `cancel` is looked at before writing; a write under way is not interrupted.
ExportOutcome exportAs(const Model& model, ExportFormat format, const std::string& path,
                       const std::atomic<bool>* cancel);

}  // namespace ws::ui
