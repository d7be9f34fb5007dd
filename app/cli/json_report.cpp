// SPDX-License-Identifier: GPL-3.0-or-later
#include "json_report.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace wscli {

namespace {

using Json = nlohmann::ordered_json;  // keeps the contract's key order, easier to read

Json statsJson(const ws::TensorStats& s) {
    // NaN (no finite values) has no JSON spelling; it becomes null.
    auto num = [](double v) { return std::isnan(v) ? Json(nullptr) : Json(v); };
    return Json{{"min", num(s.min)}, {"max", num(s.max)}, {"mean", num(s.mean)},
                {"std", num(s.std)}, {"zeros", s.zeros},  {"nan", s.nan},
                {"inf", s.inf}};
}

Json nodeJson(const ReportInput& in, const ws::Node& node) {
    Json j;
    j["name"] = node.name;
    j["path"] = node.path;
    j["kind"] = ws::nodeKindName(node.kind);
    if (!node.className.empty()) j["class"] = node.className;
    if (!node.attributes.empty()) {
        Json attrs = Json::object();
        for (const auto& kv : node.attributes) attrs[kv.first] = kv.second;
        j["attributes"] = std::move(attrs);
    }
    if (node.kind == ws::NodeKind::Tensor && node.tensor) {
        const ws::Tensor& t = *node.tensor;
        j["shape"] = t.shape;
        j["dtype"] = ws::dtypeName(t.dtype);
        j["numel"] = t.numel();
        j["bytes"] = t.nbytes();
        if (in.stats) {
            auto it = in.stats->find(&node);
            if (it != in.stats->end()) j["stats"] = statsJson(it->second);
        }
    }
    if (node.kind == ws::NodeKind::Value) {
        j["value"] = node.value;
        j["value_type"] = node.valueType;
    }
    if (!node.children.empty()) {
        Json children = Json::array();
        for (const auto& c : node.children) children.push_back(nodeJson(in, *c));
        j["children"] = std::move(children);
    }
    return j;
}

}  // namespace

std::string jsonReport(const ReportInput& in) {
    const ws::Model& m = in.model;
    const Totals& t = in.only ? in.totals.of(*in.only) : in.totals.model();
    Json doc;
    doc["file"] = m.filePath;
    doc["format"] = m.format;
    doc["format_detail"] = m.formatDetail;
    doc["warnings"] = m.warnings;
    doc["pickle"] = {{"placeholder_classes", m.pickle.placeholderClasses},
                     {"dangerous_globals", m.pickle.dangerousGlobals}};
    doc["totals"] = {{"tensors", t.tensors}, {"parameters", t.parameters}, {"bytes", t.bytes}};
    Json children = Json::array();
    if (in.only)
        children.push_back(nodeJson(in, *in.only));
    else
        for (const auto& c : m.root->children) children.push_back(nodeJson(in, *c));
    doc["tree"] = {{"name", ""}, {"kind", "group"}, {"children", std::move(children)}};
    // Names from pickles or HDF5 may not be valid UTF-8: replace bad bytes instead of failing.
    return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace wscli
