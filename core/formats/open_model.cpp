// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/open_model.h"

#include "containers/zip.h"
#include "formats/detect.h"
#include "formats/readers.h"
#include "io/mapped_file.h"
#include "model/error.h"

namespace ws {

static void readZip(ByteSourcePtr file, Model& model) {
    auto zip = std::make_shared<ZipArchive>(file);
    model.keepAlive.push_back(zip);
    if (zip->find("config.json") && zip->find("model.weights.h5"))
        readKerasArchive(*zip, model);
    else if (zip->findSuffix("data.pkl"))
        readTorchZip(*zip, model);
    else
        throw FormatError(
            "a zip archive that is neither a PyTorch file (no data.pkl) nor a "
            "Keras 3 .keras archive (no config.json + model.weights.h5)");
}

std::unique_ptr<Model> openModel(const std::string& path) {
    auto model = std::make_unique<Model>();
    model->filePath = path;
    try {
        ByteSourcePtr file = mapFile(path);
        model->keepAlive.push_back(std::const_pointer_cast<ByteSource>(file));
        model->source = file;
        switch (detectContainer(*file)) {
            case Container::Hdf5:
                readKerasHdf5(path, file, *model);
                break;
            case Container::Zip:
                readZip(file, *model);
                break;
            case Container::TorchLegacy:
                readTorchLegacy(file, *model);
                break;
            case Container::Safetensors:
                readSafetensors(file, *model);
                break;
            case Container::Unknown:
                throw FormatError("not a Keras HDF5, Keras 3, PyTorch or safetensors file: " +
                                  describeUnknownContent(*file));
        }
    } catch (const FormatError& e) {
        throw FormatError(path + ": " + e.what());
    } catch (const std::bad_alloc&) {
        throw FormatError(path + ": out of memory while reading the file's metadata");
    }
    model->reindex();
    return model;
}

}  // namespace ws
