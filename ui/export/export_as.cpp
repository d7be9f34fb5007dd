// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/export_as.h"

#include <QObject>
#include <new>

#include "convert/keras_to_torch.h"
#include "convert/template_transfer.h"
#include "convert/torch_to_keras_model.h"
#include "export/export_model.h"

namespace ws::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

QString tensorsText(std::size_t n) { return QObject::tr("%n tensor(s)", nullptr, int(n)); }

void exportTensors(const Model& model, const std::string& path, ExportOutcome& out) {
    const ExportReport report = exportModel(model, path);
    out.written = QStringLiteral("%1, %2").arg(q(report.format), tensorsText(report.tensors));
    for (const std::string& n : report.notes) out.notes << q(n);
}

}  // namespace

const std::vector<ExportFormatInfo>& exportFormats() {
    static const std::vector<ExportFormatInfo> formats = {
        {ExportFormat::KerasH5, "Keras .h5", "h5"},
        {ExportFormat::TorchPth, "PyTorch .pth (state_dict)", "pth"},
        {ExportFormat::Safetensors, "safetensors", "safetensors"},
        {ExportFormat::Npz, "NumPy .npz", "npz"},
    };
    return formats;
}

const ExportFormatInfo& exportFormatInfo(ExportFormat format) {
    for (const ExportFormatInfo& f : exportFormats())
        if (f.format == format) return f;
    return exportFormats().front();
}

ExportOutcome exportAs(const Model& model, ExportFormat format, const std::string& path,
                       const std::atomic<bool>* cancel) {
    ExportOutcome out;
    if (cancel && cancel->load()) {
        out.cancelled = true;
        return out;
    }
    const bool keras = convert::isKerasModel(model);
    try {
        if (format == ExportFormat::KerasH5 && !keras) {
            const convert::TransferResult r = convert::writeGeneratedKerasModel(model, path);
            out.written = QObject::tr("Keras model with a generated model_config, %1")
                              .arg(tensorsText(r.tensorsWritten));
            for (const std::string& n : r.notes) out.notes << q(n);
            for (const std::string& w : r.warnings) out.notes << q("warning: " + w);
        } else if (format == ExportFormat::TorchPth && keras) {
            const convert::KerasToTorchResult r =
                convert::convertKerasToTorch(model, convert::KerasToTorchOptions());
            exportTensors(*r.stateDict, path, out);
            out.written = QObject::tr("converted to PyTorch: %1").arg(out.written);
            for (const std::string& n : r.notes) out.notes << q(n);
            for (const std::string& w : r.warnings) out.notes << q("warning: " + w);
        } else {
            exportTensors(model, path, out);
        }
    } catch (const std::bad_alloc&) {
        out.error = QObject::tr("out of memory while exporting");
    } catch (const std::exception& e) {
        out.error = q(e.what());
    }
    return out;
}

}  // namespace ws::ui
