#pragma once
// One saver per format family; save_model.cpp picks one by Model::format.
#include <string>

#include "save/save_model.h"

namespace ws {

class AtomicFile;

using SaverFunction = void (*)(const Model& model, AtomicFile& out, const SaveOptions& options,
                               SaveReport& report);

// torch-zip and torchscript archives: every record copied, edited storages rewritten.
void saveTorchZip(const Model& model, AtomicFile& out, const SaveOptions& options,
                  SaveReport& report);
// Legacy torch files and safetensors: the file copied with the edited storages' bytes
// replaced in place (neither layout moves when values change).
void saveTorchLegacy(const Model& model, AtomicFile& out, const SaveOptions& options,
                     SaveReport& report);
void saveSafetensors(const Model& model, AtomicFile& out, const SaveOptions& options,
                     SaveReport& report);

}  // namespace ws
