// SPDX-License-Identifier: GPL-3.0-or-later
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
// SaveOptions::legacyAsZip: the legacy file rewritten as a torch zip archive.
void saveTorchLegacyAsZip(const Model& model, AtomicFile& out, SaveReport& report);
void saveSafetensors(const Model& model, AtomicFile& out, const SaveOptions& options,
                     SaveReport& report);

// Keras HDF5 files (.h5 of any Keras version, Keras 3 .weights.h5): the file copied, then the
// edited datasets overwritten in the copy with libhdf5 (keras_savers.cpp).
void saveKerasHdf5(const Model& model, AtomicFile& out, const SaveOptions& options,
                   SaveReport& report);
// Keras 3 .keras archives: model.weights.h5 patched the same way, other records copied.
void saveKerasArchive(const Model& model, AtomicFile& out, const SaveOptions& options,
                      SaveReport& report);

}  // namespace ws
