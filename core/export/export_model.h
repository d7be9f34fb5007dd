// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Writing a model's tensors to another format, chosen by the output's extension:
//   .pth / .pt     a torch state_dict (OrderedDict path -> tensor) in a torch.save zip archive,
//                  loadable with torch.load(f, weights_only=True)
//   .safetensors   every tensor by its path (safetensors spec, 8-byte aligned header)
//   .npz           one .npy per tensor, named by its path (numpy.load)
//   .npy           one tensor (ExportOptions::tensorPath, or the model's only tensor)
//   .h5            Keras 2 save_weights layout (layer_names, weight_names), names kept as they
//                  are: no layout conversion between frameworks
// bf16, which NumPy lacks, is widened to float32 in .npz/.npy (noted in the report). Other
// extensions (.keras among them) are refused with a FormatError.
// The output appears atomically (io/atomic_file.h).
#include <string>
#include <vector>

#include "model/model.h"

namespace ws {

struct ExportOptions {
    std::string tensorPath;  // .npy: which tensor
};

struct ExportReport {
    std::string format;  // "torch state_dict", "safetensors", "npz", "npy"
    std::size_t tensors = 0;
    std::vector<std::string> notes;
};

// Throws FormatError("<path>: <why>"); the destination is then untouched.
ExportReport exportModel(const Model& model, const std::string& path,
                         const ExportOptions& options = ExportOptions());

}  // namespace ws
