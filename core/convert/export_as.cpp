// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/export_as.h"

#include "convert/template_transfer.h"
#include "convert/torch_to_keras_model.h"
#include "export/export_model.h"
#include "model/error.h"
#include "model/format.h"

namespace ws::convert {

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool kerasDestination(const std::string& path) {
    return endsWith(path, ".h5") || endsWith(path, ".keras");
}

bool torchDestination(const std::string& path) {
    return endsWith(path, ".pth") || endsWith(path, ".pt");
}

ExportAsResult writeKerasAsTorch(const Model& model, const std::string& path,
                                 const ExportAsOptions& options) {
    ExportAsResult out;
    out.route = ExportRoute::KerasToTorch;
    const KerasToTorchResult r = convertKerasToTorch(model, options.kerasToTorch);
    // The module is generated first: it refuses before anything is written.
    if (options.emitModule) out.moduleSource = emitTorchModule(r, *options.emitModule);
    const ExportReport written = exportModel(*r.stateDict, path);
    out.format = written.format;
    out.tensors = written.tensors;
    out.notes = written.notes;
    out.notes.insert(out.notes.end(), r.notes.begin(), r.notes.end());
    out.warnings = r.warnings;
    out.reportText = mappingReportText(r);
    out.reportJson = mappingReportJson(r);
    return out;
}

ExportAsResult writeTorchAsKeras(const Model& model, const std::string& path) {
    ExportAsResult out;
    out.route = ExportRoute::GeneratedKeras;
    const TransferResult r = writeGeneratedKerasModel(model, path);
    out.format = "keras-h5";
    out.tensors = r.tensorsWritten;
    out.notes = r.notes;
    out.warnings = r.warnings;
    out.reportText = transferReportText(r);
    out.reportJson = transferReportJson(r);
    return out;
}

}  // namespace

ExportRoute exportRoute(const Model& model, const std::string& path, bool alwaysConvert) {
    const bool keras = isKerasModel(model);
    if (keras && (alwaysConvert || torchDestination(path))) return ExportRoute::KerasToTorch;
    if (!keras && (alwaysConvert || kerasDestination(path))) return ExportRoute::GeneratedKeras;
    return ExportRoute::Tensors;
}

ExportAsResult exportAs(const Model& model, const std::string& path,
                        const ExportAsOptions& options) {
    switch (exportRoute(model, path, options.alwaysConvert)) {
        case ExportRoute::KerasToTorch:
            return writeKerasAsTorch(model, path, options);
        case ExportRoute::GeneratedKeras:
            if (options.emitModule || !options.kerasToTorch.architecture.is_null())
                throw FormatError(
                    "--emit-module/--config: convert reads Keras files for these options; this "
                    "SRC is " +
                    std::string(formatName(model.format)) +
                    " (PyTorch -> Keras: -o OUT.h5, or --template T.h5)");
            if (!endsWith(path, ".h5"))
                throw FormatError(
                    "PyTorch -> Keras writes a Keras 2 full-model .h5 (-o OUT.h5), not '" + path +
                    "'");
            return writeTorchAsKeras(model, path);
        case ExportRoute::Tensors:
            break;
    }
    ExportAsResult out;
    const ExportReport written = exportModel(model, path);
    out.format = written.format;
    out.tensors = written.tensors;
    out.notes = written.notes;
    return out;
}

}  // namespace ws::convert
