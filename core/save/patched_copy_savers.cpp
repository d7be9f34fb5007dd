// SPDX-License-Identifier: GPL-3.0-or-later
// Legacy torch files and safetensors keep each storage at a fixed place in the file, and an
// edit never changes a storage's size, so saving is copying the opened file with the edited
// storages' bytes put in their place: pickles / the JSON header stay byte-identical.
#include <algorithm>

#include "io/atomic_file.h"
#include "model/error.h"
#include "save/edited_ranges.h"
#include "save/savers.h"

namespace ws {

namespace {

void writePatchedCopy(const Model& model, AtomicFile& out, SaveReport& report) {
    if (!model.source) throw FormatError("the model has no opened file to save from");
    const std::vector<EditedRange> ranges = editedRanges(model);
    const ByteSource& source = *model.source;
    auto sink = [&](const void* p, std::size_t n) { out.write(p, n); };
    std::uint64_t at = 0;
    for (const EditedRange& r : ranges) {
        copySourceRange(source, at, r.offset, sink);
        out.write(r.storage->data(), std::size_t(r.storage->size()));
        at = r.offset + r.storage->size();
    }
    copySourceRange(source, at, source.size(), sink);
    report.storagesRewritten = ranges.size();
}

}  // namespace

void saveTorchLegacy(const Model& model, AtomicFile& out, const SaveOptions& options,
                     SaveReport& report) {
    if (options.legacyAsZip) {
        saveTorchLegacyAsZip(model, out, report);
        return;
    }
    writePatchedCopy(model, out, report);
    report.format = "torch-legacy";
    report.note = "written in the legacy torch.save layout (as it was opened)";
}

void saveSafetensors(const Model& model, AtomicFile& out, const SaveOptions&, SaveReport& report) {
    writePatchedCopy(model, out, report);
    report.format = "safetensors";
}

}  // namespace ws
