// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer harness: Keras model-config parsing (the model_config attribute of .h5 files and
// config.json of .keras archives) on arbitrary text: layer lists of every era, nested models,
// name lookup and the layer description put on tree nodes. Only ws::FormatError may escape the
// helpers; anything else (a JSON type error, a crash) is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "formats/keras_config.h"
#include "model/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const nlohmann::json config =
        ws::keras::parseJson(std::string(reinterpret_cast<const char*>(data), size));
    try {
        for (const nlohmann::json* layer : ws::keras::modelLayers(config)) {
            const std::string name = ws::keras::layerName(*layer);
            ws::keras::snakeCase(ws::keras::layerClass(*layer));
            ws::keras::findLayer(config, name);
            ws::keras::isModelEntry(*layer);
            ws::Node node(ws::NodeKind::Layer, name);
            ws::keras::describeLayer(node, *layer);
        }
    } catch (const ws::FormatError&) {
    }
    return 0;
}
