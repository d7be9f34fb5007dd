// SPDX-License-Identifier: GPL-3.0-or-later
#include "save/save_model.h"

#include <map>

#include "io/atomic_file.h"
#include "model/error.h"
#include "save/savers.h"

namespace ws {

namespace {

// Model::format -> saver.
const std::map<Format, SaverFunction>& saverTable() {
    static const std::map<Format, SaverFunction> table = {
        {Format::TorchZip, &saveTorchZip},       {Format::TorchScript, &saveTorchZip},
        {Format::TorchLegacy, &saveTorchLegacy}, {Format::Safetensors, &saveSafetensors},
        {Format::KerasH5, &saveKerasHdf5},       {Format::KerasWeightsH5, &saveKerasHdf5},
        {Format::KerasV3, &saveKerasArchive},
    };
    return table;
}

}  // namespace

SaveReport saveModel(const Model& model, const std::string& path, const SaveOptions& options) {
    auto it = saverTable().find(model.format);
    if (it == saverTable().end())
        throw FormatError(std::string("saving ") +
                              (model.format == Format::Unknown
                                   ? std::string("this model")
                                   : formatName(model.format) + std::string(" files")) +
                              " is not supported (supported: PyTorch zip, TorchScript, legacy "
                              "PyTorch, safetensors, Keras .h5 / .weights.h5 / .keras)",
                          path);
    SaveReport report;
    try {
        AtomicFile out(path);
        it->second(model, out, options, report);
        out.commit();
    } catch (const Error& e) {
        rethrowNamingFile(e, path);
    } catch (const std::bad_alloc&) {
        throw FormatError("out of memory while saving", path);
    }
    return report;
}

}  // namespace ws
