// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Keras 3 weights layout (model.weights.h5 inside a .keras archive, and .weights.h5 files):
// `layers/<attribute-path>/vars/<i>` and `optimizer/vars/<i>`. The group names come from the
// layers' classes (snake_case + _1, _2 per class), not from the config's layer names, so the
// tree maps them back: Layer nodes named after the config layer, tensors given their variable
// name (`kernel`, `bias`, ...) when the class is known, while Node::path stays the HDF5 path.
#include <memory>

#include <nlohmann/json.hpp>

#include "containers/hdf5/hdf5_tree.h"
#include "model/model.h"

namespace ws {

// `modelConfig` is the parsed config.json (null for a bare .weights.h5).
void buildKerasV3Tree(const std::shared_ptr<h5::File>& file, const h5::Object& root,
                      const nlohmann::json* modelConfig, Model& model);

}  // namespace ws
