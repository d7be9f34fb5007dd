// SPDX-License-Identifier: GPL-3.0-or-later
// .npz as numpy.savez writes it: a zip with one stored "<name>.npy" per array.
#include "containers/zip_writer.h"
#include "export/exporters.h"
#include "io/npy_writer.h"

namespace ws {

void exportNpz(const ExportInput& input, AtomicFile& out, ExportReport& report) {
    ZipWriter zip(out);
    bool widened = false;
    for (const Node* n : input.tensors) {
        const Tensor& t = *n->tensor;
        const bool widen = t.dtype == DType::BF16;
        widened = widened || widen;
        const std::string header = npyHeader(widen ? "<f4" : *dtypeNumpyDescr(t.dtype), t.shape);
        zip.addStored(n->path + ".npy", header.size() + exportedBytes(t, true), false,
                      [&](const ZipWriter::Sink& sink) {
                          sink(header.data(), header.size());
                          streamTensor(t, true, sink);
                      });
    }
    zip.finish();
    report.format = "npz";
    report.tensors = input.tensors.size();
    if (widened)
        report.notes.push_back(
            "bf16 has no NumPy dtype: bf16 tensors were widened to float32 "
            "(exactly)");
}

}  // namespace ws
