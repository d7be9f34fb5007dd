// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One reader per format. Each fills `model` (root, format, formatDetail, warnings, keepAlive)
// and throws FormatError with a message naming the object and what is wrong; openModel()
// adds the file name. Readers read metadata only: tensor bytes stay behind ByteSources.
#include <string>

#include "io/byte_source.h"
#include "model/model.h"

namespace ws {

class ZipArchive;

void readKerasHdf5(const std::string& path, ByteSourcePtr file, Model& model);  // keras_h5.cpp
void readKerasArchive(const ZipArchive& zip, Model& model);                     // keras_v3.cpp
void readTorchZip(const ZipArchive& zip, Model& model);  // torch_zip.cpp (TorchScript too)
void readTorchLegacy(ByteSourcePtr file, Model& model);  // torch_legacy.cpp
void readSafetensors(ByteSourcePtr file, Model& model);  // safetensors.cpp

}  // namespace ws
