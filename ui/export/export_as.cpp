// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/export_as.h"

#include <QObject>
#include <new>

#include "convert/export_as.h"

namespace ws::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

QString tensorsText(std::size_t n) { return QObject::tr("%n tensor(s)", nullptr, int(n)); }

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
    (void)format;  // the core picks the writer by the path's suffix, which is the format's
    ExportOutcome out;
    if (cancel && cancel->load()) {
        out.cancelled = true;
        return out;
    }
    try {
        const convert::ExportAsResult r = convert::exportAs(model, path);
        const QString written = QStringLiteral("%1, %2").arg(q(r.format), tensorsText(r.tensors));
        switch (r.route) {
            case convert::ExportRoute::GeneratedKeras:
                out.written = QObject::tr("Keras model with a generated model_config, %1")
                                  .arg(tensorsText(r.tensors));
                break;
            case convert::ExportRoute::KerasToTorch:
                out.written = QObject::tr("converted to PyTorch: %1").arg(written);
                break;
            case convert::ExportRoute::Tensors:
                out.written = written;
                break;
        }
        for (const std::string& n : r.notes) out.notes << q(n);
        for (const std::string& w : r.warnings) out.notes << q("warning: " + w);
    } catch (const std::bad_alloc&) {
        out.error = QObject::tr("out of memory while exporting");
    } catch (const std::exception& e) {
        out.error = q(e.what());
    }
    return out;
}

}  // namespace ws::ui
