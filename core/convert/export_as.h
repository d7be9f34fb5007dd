// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One entry for writing a model as a file of either framework, used by the CLI (`convert`
// without --template) and the app's "Export as..." alike, so both choose the same converter for
// the same model and destination and refuse with the same words:
//   - a Keras model as a PyTorch file: the standalone Keras -> PyTorch conversion
//     (keras_to_torch.h), optionally with the generated module source (torch_module_emitter.h);
//   - a PyTorch model as a Keras file: the generated Keras model (torch_to_keras_model.h), which
//     refuses architectures the file does not determine ("a template is required");
//   - anything else: the tensors by their paths, names and layouts kept (export/export_model.h).
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convert/keras_to_torch.h"
#include "convert/torch_module_emitter.h"
#include "model/model.h"

namespace ws::convert {

enum class ExportRoute {
    Tensors,         // by tensor path, no layout change
    KerasToTorch,    // a converted PyTorch state_dict
    GeneratedKeras,  // a Keras model with a generated model_config
};

struct ExportAsOptions {
    // `convert` converts whatever the destination's suffix (a Keras model into .safetensors
    // gets PyTorch names and layouts) and refuses a PyTorch model into a non-Keras file; a plain
    // export converts only across frameworks.
    bool alwaysConvert = false;
    KerasToTorchOptions kerasToTorch;
    std::optional<EmitOptions> emitModule;  // Keras -> PyTorch: also the module source
};

struct ExportAsResult {
    ExportRoute route = ExportRoute::Tensors;
    std::string format;  // the writer's: "torch state_dict", "keras-h5", ...
    std::size_t tensors = 0;
    std::string reportText;             // the mapping report (converted routes)
    nlohmann::json reportJson;          // the same for --report-json (null for Tensors)
    std::vector<std::string> notes;     // the writer's and converter's notes
    std::vector<std::string> warnings;  // reported, never dropped
    std::string moduleSource;           // when ExportAsOptions::emitModule was given
};

// What exportAs does with `model` for a destination named `path`.
ExportRoute exportRoute(const Model& model, const std::string& path, bool alwaysConvert);

// Writes `model` to `path` (atomically; the writer is chosen by the suffix). Throws FormatError
// with the converter's or writer's message; nothing is written then.
ExportAsResult exportAs(const Model& model, const std::string& path,
                        const ExportAsOptions& options = ExportAsOptions());

}  // namespace ws::convert
