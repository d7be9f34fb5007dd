// SPDX-License-Identifier: GPL-3.0-or-later
#include "formats/keras_config.h"

#include <cctype>

namespace ws::keras {

using nlohmann::json;

static std::string stringField(const json& object, const char* key) {
    if (!object.is_object()) return {};
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string layerClass(const json& entry) { return stringField(entry, "class_name"); }

std::string layerName(const json& entry) {
    // Keras 2+ keep the name inside "config"; Functional configs repeat it outside.
    if (entry.is_object()) {
        auto config = entry.find("config");
        if (config != entry.end()) {
            std::string name = stringField(*config, "name");
            if (!name.empty()) return name;
        }
    }
    return stringField(entry, "name");
}

std::vector<const json*> modelLayers(const json& modelEntry) {
    std::vector<const json*> out;
    if (!modelEntry.is_object()) return out;
    auto config = modelEntry.find("config");
    if (config == modelEntry.end()) return out;
    const json* list = nullptr;
    if (config->is_array()) {
        list = &*config;  // Keras 1 / 2.0 Sequential: the config is the layer list
    } else if (config->is_object()) {
        auto layers = config->find("layers");
        if (layers != config->end() && layers->is_array()) list = &*layers;
    }
    if (list)
        for (const json& entry : *list)
            if (entry.is_object()) out.push_back(&entry);
    return out;
}

bool isModelEntry(const json& entry) { return !modelLayers(entry).empty(); }

static const json* findLayerDepth(const json& modelEntry, const std::string& name, int depth) {
    if (depth > 64) return nullptr;  // nesting this deep only happens in damaged configs
    const auto layers = modelLayers(modelEntry);
    for (const json* entry : layers)
        if (layerName(*entry) == name) return entry;
    for (const json* entry : layers)
        if (const json* found = findLayerDepth(*entry, name, depth + 1)) return found;
    return nullptr;
}

const json* findLayer(const json& modelEntry, const std::string& name) {
    return findLayerDepth(modelEntry, name, 0);
}

std::string snakeCase(const std::string& className) {
    // Same steps as keras.src.utils.naming.to_snake_case:
    //   drop non-word characters; "(.)([A-Z][a-z]+)" -> "\1_\2"; "([a-z])([A-Z])" -> "\1_\2";
    //   lower-case.
    std::string s;
    for (char c : className)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') s += c;
    auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    std::string step1;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i > 0 && upper(s[i]) && i + 1 < s.size() && lower(s[i + 1])) step1 += '_';
        step1 += s[i];
    }
    std::string step2;
    for (std::size_t i = 0; i < step1.size(); ++i) {
        if (i > 0 && lower(step1[i - 1]) && upper(step1[i])) step2 += '_';
        step2 += step1[i];
    }
    for (char& c : step2) c = char(std::tolower(static_cast<unsigned char>(c)));
    return step2;
}

void describeLayer(Node& node, const json& entry) {
    node.className = layerClass(entry);
    if (!node.className.empty()) node.setAttribute("class_name", node.className);
    auto config = entry.find("config");
    if (config != entry.end())
        node.setAttribute("config", config->dump(-1, ' ', false, json::error_handler_t::replace));
}

json parseJson(const std::string& text) {
    json parsed = json::parse(text, nullptr, false);
    return parsed.is_discarded() ? json() : parsed;
}

}  // namespace ws::keras
