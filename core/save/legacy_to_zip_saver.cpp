// SPDX-License-Identifier: GPL-3.0-or-later
// A legacy torch.save file written in the zip layout (SaveOptions::legacyAsZip): the object
// pickle becomes data.pkl with its persistent ids put in zip form (legacy_pickle_rewrite.h),
// every storage becomes data/<key> (edited ones with their new bytes), plus byteorder and
// version, under a folder named after the output file, as torch.save names it.
#include <map>

#include "containers/zip_writer.h"
#include "formats/torch_tensor.h"
#include "io/atomic_file.h"
#include "model/error.h"
#include "pickle/unpickler.h"
#include "save/edited_ranges.h"
#include "save/legacy_pickle_rewrite.h"
#include "save/savers.h"

namespace ws {

namespace {

std::string stemOf(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::size_t dot = leaf.rfind('.');
    leaf = dot == std::string::npos || dot == 0 ? leaf : leaf.substr(0, dot);
    return leaf.empty() ? "archive" : leaf;
}

}  // namespace

void saveTorchLegacyAsZip(const Model& model, AtomicFile& out, SaveReport& report) {
    if (!model.source) throw FormatError("the model has no opened file to save from");
    const ByteSource& file = *model.source;
    std::vector<std::uint8_t> copy;
    const std::uint8_t* data = file.data();
    if (!data) {
        copy = file.readAll();
        data = copy.data();
    }
    const std::size_t size = std::size_t(file.size());
    // The five pickles, as the legacy reader walks them.
    PickleReport scratch;
    std::size_t pos = 0;
    auto next = [&](std::size_t* start = nullptr) {
        if (start) *start = pos;
        std::size_t used = 0;
        auto doc = pickle::unpickle(data + pos, size - pos, scratch, &used);
        pos += used;
        return doc;
    };
    next();  // magic number
    next();  // protocol version
    auto sysInfo = next();
    if (const pickle::Value* le = sysInfo->root->get("little_endian"))
        if (le->kind == pickle::Kind::Bool && !le->boolean)
            throw FormatError("a big-endian legacy file cannot be written in the zip layout");
    std::size_t objectStart = 0;
    auto object = next(&objectStart);
    const std::size_t objectEnd = pos;
    auto keys = next();
    if (!keys->root->isSequence()) throw FormatError("the storage key list is not a list");
    const auto refs = torchfmt::collectStorages(*object->root);

    std::map<std::uint64_t, const EditableStorage*> edited;
    for (const EditedRange& r : editedRanges(model)) edited.emplace(r.offset, r.storage);

    const std::string prefix = stemOf(out.path()) + "/";
    ZipWriter zip(out);
    zip.addStored(prefix + "data.pkl",
                  legacyPickleToZipPickle(data + objectStart, objectEnd - objectStart));
    zip.addStored(prefix + "byteorder", std::vector<std::uint8_t>{'l', 'i', 't', 't', 'l', 'e'});
    std::uint64_t offset = pos;
    std::size_t used = 0;
    for (const pickle::Value* k : keys->root->items) {
        auto ref = k->isStr() ? refs.find(k->text) : refs.end();
        if (ref == refs.end() || size - offset < 8)
            throw FormatError("the storage list does not match the storages (key " +
                              (k->isStr() ? k->text : std::string("?")) + ")");
        std::uint64_t count = 0;
        for (int i = 7; i >= 0; --i) count = (count << 8) | data[offset + std::size_t(i)];
        const std::uint64_t width = dtypeSize(ref->second.dtype);
        if (count > (size - offset - 8) / width)
            throw FormatError("storage '" + k->text + "' runs past the end of the file");
        const std::uint64_t begin = offset + 8, bytes = count * width;
        auto hit = edited.find(begin);
        const std::uint8_t* src = data + begin;
        if (hit != edited.end() && hit->second->size() == bytes) {
            src = hit->second->data();
            ++used;
        }
        zip.addStored(prefix + "data/" + k->text, bytes, true,
                      [&](const ZipWriter::Sink& sink) { sink(src, std::size_t(bytes)); });
        offset = begin + bytes;
    }
    if (used != edited.size())
        throw FormatError("an edited storage does not match any storage of the legacy file");
    zip.addStored(prefix + "version", std::vector<std::uint8_t>{'3', '\n'});
    zip.finish();
    report.format = "torch-zip";
    report.storagesRewritten = used;
    report.note = "converted from the legacy layout to the zip layout (torch.save >= 1.6)";
}

}  // namespace ws
