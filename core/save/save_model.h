// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Saving an (edited) model back in its own format. Only what was edited is rewritten; every
// other byte of the file is carried over, so what Weightsmith does not understand survives.
// The destination appears atomically (io/atomic_file.h), so it may be the opened file itself.
//
// Dispatch is on Model::format through a table in save_model.cpp; a format whose saver is not
// in the table is refused with a FormatError that says so (Keras savers plug in there).
#include <string>

#include "model/model.h"

namespace ws {

struct SaveOptions {
    // Legacy torch files are written back in the legacy layout unless this asks for the zip
    // layout of torch.save >= 1.6 (SaveReport::note says which was written).
    bool legacyAsZip = false;
};

struct SaveReport {
    std::string format;  // what was written ("torch-zip", ...)
    std::size_t storagesRewritten = 0;
    std::string note;  // anything the user should know ("" when nothing)
};

// Throws FormatError("<path>: <why>") when the model cannot be saved; the destination is then
// untouched and no temporary file is left behind.
SaveReport saveModel(const Model& model, const std::string& path,
                     const SaveOptions& options = SaveOptions());

}  // namespace ws
