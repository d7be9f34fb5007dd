// SPDX-License-Identifier: GPL-3.0-or-later
// A state_dict as torch.save(OrderedDict) writes it: <stem>/data.pkl, <stem>/byteorder,
// <stem>/data/<k> (one contiguous storage per tensor), <stem>/version, every record's data
// 64-byte aligned.
#include "containers/zip_writer.h"
#include "export/exporters.h"
#include "pickle/pickle_writer.h"

namespace ws {

void exportTorchStateDict(const ExportInput& input, AtomicFile& out, ExportReport& report) {
    std::vector<pickle::StateDictEntry> entries;
    for (std::size_t i = 0; i < input.tensors.size(); ++i) {
        const Tensor& t = *input.tensors[i]->tensor;
        pickle::StateDictEntry e;
        e.name = input.tensors[i]->path;
        e.dtype = t.dtype;
        e.storageKey = std::to_string(i);
        e.storageNumel = std::uint64_t(t.numel());
        e.shape = t.shape;  // strides left empty: contiguous
        entries.push_back(std::move(e));
    }
    const std::string prefix = (input.stem.empty() ? std::string("archive") : input.stem) + "/";
    ZipWriter zip(out);
    zip.addStored(prefix + "data.pkl", pickle::writeStateDictPickle(entries));
    zip.addStored(prefix + "byteorder", std::vector<std::uint8_t>{'l', 'i', 't', 't', 'l', 'e'});
    for (std::size_t i = 0; i < input.tensors.size(); ++i) {
        const Tensor& t = *input.tensors[i]->tensor;
        zip.addStored(prefix + "data/" + std::to_string(i), exportedBytes(t, false), true,
                      [&](const ZipWriter::Sink& sink) { streamTensor(t, false, sink); });
    }
    zip.addStored(prefix + "version", std::vector<std::uint8_t>{'3', '\n'});
    zip.finish();
    report.format = "torch state_dict (zip)";
    report.tensors = input.tensors.size();
}

}  // namespace ws
