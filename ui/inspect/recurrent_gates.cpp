// SPDX-License-Identifier: GPL-3.0-or-later
#include "inspect/recurrent_gates.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace ws::ui {

namespace {

enum class Cell { Unknown, Lstm, Gru };

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

Cell cellFromText(const std::string& text) {
    const std::string t = lower(text);
    const bool lstm = t.find("lstm") != std::string::npos;
    const bool gru = t.find("gru") != std::string::npos;
    if (lstm != gru) return lstm ? Cell::Lstm : Cell::Gru;
    return Cell::Unknown;
}

// The nearest ancestor class decides; wrappers (Bidirectional, TimeDistributed, Sequential ...)
// say nothing about gates, so the search goes on past them and finally to the path.
Cell cellFromContext(const Node& node) {
    for (const Node* n = node.parent; n; n = n->parent) {
        if (n->className.empty()) continue;
        const Cell c = cellFromText(n->className);
        if (c != Cell::Unknown) return c;
        const std::string cls = lower(n->className);
        if (cls.find("bidirectional") == std::string::npos &&
            cls.find("timedistributed") == std::string::npos &&
            cls.find("sequential") == std::string::npos && cls.find("model") == std::string::npos &&
            cls.find("functional") == std::string::npos)
            return Cell::Unknown;  // some other layer class (Dense, Conv2D ...)
    }
    return cellFromText(node.path);
}

int gatesFromRatio(std::int64_t stacked, std::int64_t hidden) {
    if (hidden <= 0 || stacked % hidden != 0) return 0;
    const std::int64_t g = stacked / hidden;
    return g == 3 || g == 4 ? int(g) : 0;
}

// "lstm_cell/recurrent_kernel:0" -> "recurrent_kernel": readers may fold intermediate groups
// into a node's name, and TensorFlow appends ":0".
std::string baseName(const std::string& name) {
    const auto slash = name.rfind('/');
    std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    const auto colon = base.rfind(':');
    return colon == std::string::npos ? base : base.substr(0, colon);
}

const Node* sibling(const Node& node, const std::string& name) {
    if (!node.parent) return nullptr;
    for (const auto& c : node.parent->children)
        if (c->kind == NodeKind::Tensor && c->tensor && baseName(c->name) == name) return c.get();
    return nullptr;
}

GateLayout makeLayout(int axis, std::int64_t extent, int gates, bool torch) {
    GateLayout g;
    if (gates == 0 || extent % gates != 0) return g;
    g.axis = axis;
    g.gateSize = extent / gates;
    if (gates == 4)
        g.labels = torch ? std::vector<std::string>{"i", "f", "g", "o"}
                         : std::vector<std::string>{"i", "f", "c", "o"};
    else
        g.labels = torch ? std::vector<std::string>{"r", "z", "n"}
                         : std::vector<std::string>{"z", "r", "h"};
    return g;
}

int gatesFor(Cell cell) { return cell == Cell::Lstm ? 4 : cell == Cell::Gru ? 3 : 0; }

GateLayout torchLayout(const Model& model, const Node& node, const std::smatch& m) {
    const auto& shape = node.tensor->shape;
    // weight_hh_l<k>[_reverse] is (gates*hidden, hidden) unless the LSTM uses proj_size.
    std::string hhPath = node.path.substr(0, node.path.size() - std::string(m[0]).size()) +
                         "weight_hh_l" + std::string(m[3]);
    int gates = 0;
    if (const Node* hh = model.find(hhPath); hh && hh->tensor && hh->tensor->shape.size() == 2)
        gates = gatesFromRatio(hh->tensor->shape[0], hh->tensor->shape[1]);
    if (gates == 0) gates = gatesFor(cellFromContext(node));
    return makeLayout(0, shape[0], gates, true);
}

GateLayout kerasLayout(const Node& node, const std::string& name) {
    const auto& shape = node.tensor->shape;
    const bool kerasV3Vars = (node.parent && node.parent->name == "vars") ||
                             node.path.find("/vars/") != std::string::npos;
    const bool fusedName = name == "kernel" || name == "recurrent_kernel" || name == "bias";
    if (!kerasV3Vars && !fusedName) return {};  // e.g. Keras 1 per-gate W_i, U_f, b_o
    // The recurrent kernel is (..., hidden, gates*hidden).
    const Node* rec = sibling(node, "recurrent_kernel");
    if (!rec && kerasV3Vars) rec = sibling(node, "1");
    int gates = 0;
    if (rec && rec->tensor->shape.size() >= 2) {
        const auto& rs = rec->tensor->shape;
        gates = gatesFromRatio(rs[rs.size() - 1], rs[rs.size() - 2]);
    }
    const Cell cell = cellFromContext(node);
    if (gates == 0) gates = gatesFor(cell);
    // Keras 3 names variables by number only: without an LSTM/GRU around them (optimizer/vars)
    // a number says nothing.
    if (kerasV3Vars && cell == Cell::Unknown) return {};
    return makeLayout(int(shape.size()) - 1, shape.back(), gates, false);
}

}  // namespace

GateLayout recurrentGateLayout(const Model& model, const Node& node) {
    if (node.kind != NodeKind::Tensor || !node.tensor || node.tensor->shape.empty()) return {};
    static const std::regex torchName(R"((weight|bias)_(ih|hh)_l(\d+(_reverse)?)$)");
    std::smatch m;
    const std::string name = baseName(node.name);
    if (std::regex_search(node.path, m, torchName)) return torchLayout(model, node, m);
    if (model.format.rfind("keras", 0) == 0 || cellFromContext(node) != Cell::Unknown)
        return kerasLayout(node, name);
    return {};
}

}  // namespace ws::ui
