// SPDX-License-Identifier: GPL-3.0-or-later
// Keras files keep their tensors in HDF5 datasets. Saving copies the opened file byte for byte
// and then overwrites only the edited datasets through libhdf5 (H5Dwrite on the copy), so every
// group, attribute (model_config, training_config, fixed- or variable-length strings as they
// were), optimizer weight and the edited datasets' own type, shape, chunking and filters stay
// exactly as the file had them. An unedited model is saved as an exact copy.
// A .keras archive is rewritten record by record: model.weights.h5 gets the patched image,
// every other record is copied without recompressing.
#include <map>

#include "containers/hdf5/hdf5_writer.h"
#include "containers/zip.h"
#include "containers/zip_writer.h"
#include "edit/editable_storage.h"
#include "io/atomic_file.h"
#include "model/error.h"
#include "save/edited_ranges.h"
#include "save/savers.h"

namespace ws {

namespace {

struct EditedDatasets {
    std::vector<h5::DatasetBytes> writes;
    // Every edited dataset was a window into the file (contiguous, unfiltered, allocated: the
    // HDF5 reader's SubByteSource), so it can be overwritten where it lies.
    bool inPlace = true;
};

// The edited datasets: the HDF5 readers name each tensor's storage by its dataset path
// (Tensor::storageKey), and a dataset is always viewed whole.
EditedDatasets editedDatasets(const Model& model) {
    std::map<std::string, const EditableStorage*> byPath;
    model.forEachTensor([&](Node& node) {
        if (!node.tensor) return;
        const auto* edited = dynamic_cast<const EditableStorage*>(node.tensor->storage.get());
        if (!edited) return;
        const Tensor& t = *node.tensor;
        if (t.storageKey.empty() || t.storageOffset != 0 || !t.isContiguous() ||
            t.nbytes() != edited->size())
            throw FormatError("tensor '" + node.path +
                              "' is not a whole HDF5 dataset; cannot tell where to save it");
        byPath[t.storageKey] = edited;
    });
    EditedDatasets out;
    for (const auto& [path, storage] : byPath) {
        out.writes.push_back({path, storage});
        if (!dynamic_cast<const SubByteSource*>(storage->original().get())) out.inPlace = false;
    }
    return out;
}

void copyWholeSource(const Model& model, AtomicFile& out) {
    copySourceRange(*model.source, 0, model.source->size(),
                    [&](const void* p, std::size_t n) { out.write(p, n); });
}

}  // namespace

void saveKerasHdf5(const Model& model, AtomicFile& out, const SaveOptions&, SaveReport& report) {
    if (!model.source) throw FormatError("the model has no opened file to save from");
    const EditedDatasets edited = editedDatasets(model);
    const std::vector<h5::DatasetBytes>& writes = edited.writes;
    if (edited.inPlace) {
        copyWholeSource(model, out);
        // The copy is complete on disk (AtomicFile writes straight to its descriptor); libhdf5
        // opens it by name and overwrites the datasets where they are. AtomicFile's commit
        // syncs the same inode.
        if (!writes.empty()) h5::overwriteDatasetsInFile(out.tempPath(), writes);
    } else {
        // Chunked or filtered datasets may move when rewritten: patched in memory, so that a
        // full disk fails in our writer and not inside libhdf5.
        const std::vector<std::uint8_t> image = h5::overwriteDatasetsInImage(*model.source, writes);
        out.write(image.data(), image.size());
    }
    report.format = model.format;
    report.storagesRewritten = writes.size();
}

void saveKerasArchive(const Model& model, AtomicFile& out, const SaveOptions&, SaveReport& report) {
    if (!model.source) throw FormatError("the model has no opened file to save from");
    const std::vector<h5::DatasetBytes> writes = editedDatasets(model).writes;
    report.format = model.format;
    report.storagesRewritten = writes.size();
    if (writes.empty()) {
        copyWholeSource(model, out);
        return;
    }
    ZipArchive zip(model.source);
    const ZipEntry* weights = zip.find("model.weights.h5");
    if (!weights) throw FormatError("the .keras archive has no model.weights.h5");
    std::vector<std::uint8_t> image;
    try {
        image = h5::overwriteDatasetsInImage(*zip.open(*weights), writes);
    } catch (const FormatError& e) {
        throw FormatError(std::string("model.weights.h5 in the .keras archive: ") + e.what());
    }
    ZipWriter writer(out);
    for (const ZipEntry& entry : zip.entries()) {
        if (&entry == weights) {
            writer.addStored(entry.name, image, false);
            continue;
        }
        const std::uint64_t at = zip.dataOffset(entry);
        writer.addRaw(entry.name, entry.method, entry.crc32, entry.compressedSize,
                      entry.uncompressedSize, false, [&](const ZipWriter::Sink& sink) {
                          copySourceRange(*model.source, at, at + entry.compressedSize, sink);
                      });
    }
    writer.finish();
}

}  // namespace ws
