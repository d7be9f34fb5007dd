// SPDX-License-Identifier: GPL-3.0-or-later
#include "export/export_model.h"

#include <map>

#include "export/exporters.h"
#include "io/atomic_file.h"
#include "io/npy_writer.h"
#include "model/error.h"

namespace ws {

namespace {

std::string lowerExtension(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    const std::size_t dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
    std::string ext = path.substr(dot);
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

std::string stemOf(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::size_t dot = leaf.rfind('.');
    return dot == std::string::npos || dot == 0 ? leaf : leaf.substr(0, dot);
}

// Extension -> writer.
const std::map<std::string, ExporterFunction>& exporterTable() {
    static const std::map<std::string, ExporterFunction> table = {
        {".pth", &exportTorchStateDict},          {".pt", &exportTorchStateDict},
        {".safetensors", &exportSafetensorsFile}, {".npz", &exportNpz},
        {".h5", &exportKerasWeightsH5},
    };
    return table;
}

ExportReport exportOneNpy(const Model& model, const std::string& path,
                          const ExportOptions& options) {
    const Node* node = nullptr;
    if (!options.tensorPath.empty()) {
        node = model.find(options.tensorPath);
        if (!node) throw FormatError("no tensor at path '" + options.tensorPath + "'");
        if (node->kind != NodeKind::Tensor || !node->tensor)
            throw FormatError("'" + options.tensorPath + "' is not a tensor");
    } else {
        std::size_t count = 0;
        model.forEachTensor([&](Node& n) {
            if (n.tensor) {
                node = &n;
                ++count;
            }
        });
        if (count != 1)
            throw FormatError(".npy holds one tensor and the model has " + std::to_string(count) +
                              ": say which with --tensor PATH");
    }
    ExportReport report;
    report.format = "npy";
    report.tensors = 1;
    const std::string note = writeNpy(*node->tensor, path);
    if (!note.empty()) report.notes.push_back(note);
    return report;
}

}  // namespace

ExportReport exportModel(const Model& model, const std::string& path,
                         const ExportOptions& options) {
    const std::string ext = lowerExtension(path);
    try {
        if (ext == ".npy") return exportOneNpy(model, path, options);
        auto it = exporterTable().find(ext);
        if (it == exporterTable().end())
            throw FormatError("cannot export to '" +
                              (ext.empty() ? std::string("(no extension)") : ext) +
                              "' files (supported: .pth, .pt, .safetensors, .npz, .npy, .h5)");
        ExportInput input;
        input.stem = stemOf(path);
        model.forEachTensor([&](Node& n) {
            if (n.tensor) input.tensors.push_back(&n);
        });
        for (const Node* n : input.tensors) n->tensor->validate();
        ExportReport report;
        AtomicFile out(path);
        it->second(input, out, report);
        out.commit();
        return report;
    } catch (const FormatError& e) {
        const std::string what = e.what();
        if (what.compare(0, path.size() + 1, path + ":") == 0) throw;
        throw FormatError(path + ": " + what);
    } catch (const std::bad_alloc&) {
        throw FormatError(path + ": out of memory while exporting");
    }
}

}  // namespace ws
