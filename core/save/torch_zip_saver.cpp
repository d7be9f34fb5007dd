// SPDX-License-Identifier: GPL-3.0-or-later
// Saving a torch.save / TorchScript archive: the records are written again in the same order
// under the same names; a storage record that was edited gets its new bytes and CRC, every
// other record is copied byte for byte (compressed ones without recompressing), so data.pkl,
// version, byteorder, code/, constants.pkl and records we do not know survive unchanged.
// Records whose data started at a multiple of 64 (torch aligns them all) stay aligned.
#include <map>
#include <set>

#include "containers/zip.h"
#include "containers/zip_writer.h"
#include "model/error.h"
#include "save/edited_ranges.h"
#include "save/savers.h"

namespace ws {

void saveTorchZip(const Model& model, AtomicFile& out, const SaveOptions&, SaveReport& report) {
    if (!model.source) throw FormatError("the model has no opened file to save from");
    const ZipArchive zip(model.source);
    std::map<std::uint64_t, const EditableStorage*> edited;
    for (const EditedRange& r : editedRanges(model)) edited.emplace(r.offset, r.storage);

    ZipWriter writer(out);
    std::set<std::uint64_t> used;
    const ByteSource& file = *model.source;
    for (const ZipEntry& e : zip.entries()) {
        const std::uint64_t dataOffset = zip.dataOffset(e);
        const bool aligned = dataOffset % 64 == 0;
        auto hit = edited.find(dataOffset);
        if (hit != edited.end() && e.method == 0 && hit->second->size() == e.uncompressedSize) {
            const EditableStorage* s = hit->second;
            writer.addStored(e.name, s->size(), aligned, [&](const ZipWriter::Sink& sink) {
                sink(s->data(), std::size_t(s->size()));
            });
            used.insert(dataOffset);
            continue;
        }
        writer.addRaw(e.name, e.method, e.crc32, e.compressedSize, e.uncompressedSize, aligned,
                      [&](const ZipWriter::Sink& sink) {
                          copySourceRange(file, dataOffset, dataOffset + e.compressedSize, sink);
                      });
    }
    if (used.size() != edited.size())
        throw FormatError("an edited storage does not match any stored record of the archive");
    writer.finish();
    report.format = model.format;
    report.storagesRewritten = used.size();
}

}  // namespace ws
