// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Which layers feed a layer in a Keras Functional config, in both the Keras 2 form
// (`inbound_nodes: [[["name", 0, 0, {}], ...]]`) and the Keras 3 form
// (`inbound_nodes: [{"args": [{"config": {"keras_history": ["name", 0, 0]}}]}]`).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ws::layers {

// One entry per inbound node (a layer called twice has two), each the names feeding that call.
std::vector<std::vector<std::string>> kerasInboundNodes(const nlohmann::json& layerEntry);

}  // namespace ws::layers
