// SPDX-License-Identifier: GPL-3.0-or-later
// Keras 3 native `.keras` archives: a zip of config.json, metadata.json and model.weights.h5
// (plus assets/ for some layers). The HDF5 entry is opened in place as a file image.
#include "containers/hdf5/hdf5_tree.h"
#include "containers/zip.h"
#include "formats/keras_config.h"
#include "formats/keras_v3_layout.h"
#include "formats/readers.h"
#include "model/error.h"

namespace ws {

using nlohmann::json;

namespace {

// config.json and metadata.json are small; a huge one is damage or a decompression bomb.
constexpr std::uint64_t kMaxJsonEntryBytes = std::uint64_t(256) << 20;

std::string entryText(const ZipArchive& zip, const ZipEntry& entry) {
    if (entry.uncompressedSize > kMaxJsonEntryBytes)
        throw FormatError(entry.name + " is implausibly large (" +
                          std::to_string(entry.uncompressedSize) + " bytes)");
    std::vector<std::uint8_t> bytes = zip.open(entry)->readAll();
    return std::string(bytes.begin(), bytes.end());
}

void addJsonEntry(const ZipArchive& zip, const ZipEntry* entry, Model& model, json& parsed) {
    if (!entry) return;
    std::string text = entryText(zip, *entry);
    parsed = keras::parseJson(text);
    if (!parsed.is_object())
        model.warnings.push_back(entry->name +
                                 " is not a JSON object; layer names and classes "
                                 "cannot be taken from it");
    auto node = makeValueNode(entry->name, std::move(text), parsed.is_null() ? "str" : "json");
    node->path = entry->name;
    model.root->addChild(std::move(node));
}

std::string stringField(const json& object, const char* key) {
    auto it = object.is_object() ? object.find(key) : object.end();
    return object.is_object() && it != object.end() && it->is_string() ? it->get<std::string>()
                                                                       : std::string();
}

}  // namespace

void readKerasArchive(const ZipArchive& zip, Model& model) {
    const ZipEntry* weights = zip.find("model.weights.h5");
    if (!weights) throw FormatError("the .keras archive has no model.weights.h5");

    json config, metadata;
    std::shared_ptr<h5::File> file;
    std::unique_ptr<h5::Object> root;
    try {
        // Stored entries are windows into the mapped archive (no copy); deflated ones are
        // inflated by the zip reader. Either way libhdf5 reads the bytes in place.
        file = h5::File::openImage(zip.open(*weights));
        root = h5::readTree(*file);
    } catch (const FormatError& e) {
        throw FormatError(std::string("model.weights.h5 in the .keras archive: ") + e.what());
    }
    model.keepAlive.push_back(file);

    addJsonEntry(zip, zip.find("config.json"), model, config);
    buildKerasV3Tree(file, *root, config.is_object() ? &config : nullptr, model);
    addJsonEntry(zip, zip.find("metadata.json"), model, metadata);

    // Other entries (assets/ of TextVectorization, StringLookup...) are listed, not parsed.
    for (const ZipEntry& entry : zip.entries()) {
        if (entry.name == "config.json" || entry.name == "metadata.json" ||
            entry.name == "model.weights.h5")
            continue;
        auto node = makeValueNode(
            entry.name, "<archive entry, " + std::to_string(entry.uncompressedSize) + " bytes>",
            "entry");
        node->path = entry.name;
        model.root->addChild(std::move(node));
    }

    model.format = "keras-v3";
    const std::string version = stringField(metadata, "keras_version");
    const std::string saved = stringField(metadata, "date_saved");
    model.formatDetail = (version.empty() ? std::string("Keras 3") : "Keras " + version) +
                         " native .keras archive" + (saved.empty() ? "" : ", saved " + saved);
    if (!config.is_object())
        model.warnings.push_back("no usable config.json: layer names are the weight file's own");
}

}  // namespace ws
