// SPDX-License-Identifier: GPL-3.0-or-later
#include "layers/keras_inbound.h"

namespace ws::layers {

using nlohmann::json;

namespace {

// Keras 3: every {"keras_history": [name, node, tensor]} anywhere inside a call's args.
void collectKerasHistory(const json& j, std::vector<std::string>& names, int depth) {
    if (depth > 32) return;
    if (j.is_object()) {
        auto h = j.find("keras_history");
        if (h != j.end() && h->is_array() && !h->empty() && (*h)[0].is_string()) {
            names.push_back((*h)[0].get<std::string>());
            return;
        }
        for (const auto& item : j.items()) collectKerasHistory(item.value(), names, depth + 1);
    } else if (j.is_array()) {
        for (const auto& item : j) collectKerasHistory(item, names, depth + 1);
    }
}

}  // namespace

std::vector<std::vector<std::string>> kerasInboundNodes(const json& layerEntry) {
    std::vector<std::vector<std::string>> out;
    auto nodes = layerEntry.find("inbound_nodes");
    if (nodes == layerEntry.end() || !nodes->is_array()) return out;
    for (const json& call : *nodes) {
        std::vector<std::string> names;
        if (call.is_array()) {  // Keras 2: a list of [name, node, tensor, kwargs]
            for (const json& ref : call)
                if (ref.is_array() && !ref.empty() && ref[0].is_string())
                    names.push_back(ref[0].get<std::string>());
        } else {
            collectKerasHistory(call, names, 0);
        }
        out.push_back(std::move(names));
    }
    return out;
}

}  // namespace ws::layers
