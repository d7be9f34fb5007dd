// SPDX-License-Identifier: GPL-3.0-or-later
#include "save/save_model.h"

#include <map>

#include "io/atomic_file.h"
#include "model/error.h"
#include "save/savers.h"

namespace ws {

namespace {

// Model::format -> saver.
const std::map<std::string, SaverFunction>& saverTable() {
    static const std::map<std::string, SaverFunction> table = {
        {"torch-zip", &saveTorchZip},       {"torchscript", &saveTorchZip},
        {"torch-legacy", &saveTorchLegacy}, {"safetensors", &saveSafetensors},
        {"keras-h5", &saveKerasHdf5},       {"keras-weights-h5", &saveKerasHdf5},
        {"keras-v3", &saveKerasArchive},
    };
    return table;
}

}  // namespace

SaveReport saveModel(const Model& model, const std::string& path, const SaveOptions& options) {
    auto it = saverTable().find(model.format);
    if (it == saverTable().end())
        throw FormatError(
            path + ": saving " +
            (model.format.empty() ? std::string("this model") : model.format + " files") +
            " is not supported (supported: PyTorch zip, TorchScript, legacy PyTorch, "
            "safetensors, Keras .h5 / .weights.h5 / .keras)");
    SaveReport report;
    try {
        AtomicFile out(path);
        it->second(model, out, options, report);
        out.commit();
    } catch (const FormatError& e) {
        const std::string what = e.what();
        // AtomicFile's own errors already start with the path.
        if (what.compare(0, path.size() + 1, path + ":") == 0) throw;
        throw FormatError(path + ": " + what);
    } catch (const std::bad_alloc&) {
        throw FormatError(path + ": out of memory while saving");
    }
    return report;
}

}  // namespace ws
