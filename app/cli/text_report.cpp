// SPDX-License-Identifier: GPL-3.0-or-later
#include "text_report.h"

#include <algorithm>
#include <vector>

#include "text_format.h"

namespace wscli {

namespace {

// Column limits: longer cells overflow their column instead of widening every line.
constexpr std::size_t kMaxNameWidth = 64;
constexpr std::size_t kMaxKindWidth = 36;
constexpr std::size_t kMaxShapeWidth = 24;
constexpr std::size_t kMaxValueChars = 100;

struct Row {
    std::string name, kind, shape, dtype, params, bytes;
    std::string trailer;  // value text or stats, printed after the columns / on its own line
    bool isValue = false;
};

std::string kindText(const ws::Node& n) {
    if (n.kind == ws::NodeKind::Value) return n.valueType.empty() ? "value" : n.valueType;
    if (!n.className.empty()) return printable(n.className);
    return ws::nodeKindName(n.kind);
}

std::string statsText(const ws::TensorStats& s) {
    return "min " + shortNumber(s.min) + "  max " + shortNumber(s.max) + "  mean " +
           shortNumber(s.mean) + "  std " + shortNumber(s.std) + "  zeros " +
           withThousands(s.zeros) + "  nan " + withThousands(s.nan) + "  inf " +
           withThousands(s.inf);
}

void collectRows(const ReportInput& in, const ws::Node& node, std::size_t depth,
                 std::vector<Row>& rows) {
    Row r;
    r.name = std::string(depth * 2, ' ') + printable(node.name.empty() ? node.path : node.name);
    r.kind = kindText(node);
    if (node.kind == ws::NodeKind::Value) {
        r.isValue = true;
        r.trailer = "= " + printable(node.value, kMaxValueChars);
    } else if (node.kind == ws::NodeKind::Tensor && node.tensor) {
        r.shape = ws::shapeToString(node.tensor->shape);
        r.dtype = ws::dtypeName(node.tensor->dtype);
        r.params = withThousands(std::uint64_t(node.tensor->numel()));
        r.bytes = withThousands(node.tensor->nbytes());
        if (in.stats) {
            auto it = in.stats->find(&node);
            if (it != in.stats->end()) r.trailer = statsText(it->second);
        }
    } else {
        const Totals& t = in.totals.of(node);
        if (t.tensors) {
            r.params = withThousands(t.parameters);
            r.bytes = withThousands(t.bytes);
        }
    }
    rows.push_back(std::move(r));
    for (const auto& c : node.children) collectRows(in, *c, depth + 1, rows);
}

void pad(std::string& out, const std::string& cell, std::size_t width, bool right = false) {
    const std::size_t fill = cell.size() < width ? width - cell.size() : 0;
    if (right) out.append(fill, ' ');
    out += cell;
    if (!right) out.append(fill, ' ');
}

}  // namespace

std::string textReport(const ReportInput& in) {
    const ws::Model& m = in.model;
    std::string out;
    out += "file:    " + printable(m.filePath) + "\n";
    out += "format:  " + m.format;
    if (!m.formatDetail.empty()) out += " (" + printable(m.formatDetail) + ")";
    out += "\n";
    if (in.only) out += "node:    " + printable(in.only->path) + "\n";
    out += "\n";

    std::vector<Row> rows;
    rows.push_back({"NAME", "KIND/CLASS", "SHAPE", "DTYPE", "PARAMS", "BYTES", "", false});
    if (in.only)
        collectRows(in, *in.only, 0, rows);
    else
        for (const auto& c : m.root->children) collectRows(in, *c, 0, rows);

    std::size_t wName = 0, wKind = 0, wShape = 0, wDtype = 0, wParams = 0, wBytes = 0;
    for (const Row& r : rows) {
        wName = std::max(wName, std::min(r.name.size(), kMaxNameWidth));
        wKind = std::max(wKind, std::min(r.kind.size(), kMaxKindWidth));
        wShape = std::max(wShape, std::min(r.shape.size(), kMaxShapeWidth));
        wDtype = std::max(wDtype, r.dtype.size());
        wParams = std::max(wParams, r.params.size());
        wBytes = std::max(wBytes, r.bytes.size());
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Row& r = rows[i];
        std::string line;
        pad(line, r.name, wName);
        line += "  ";
        pad(line, r.kind, wKind);
        line += "  ";
        if (r.isValue) {
            line += r.trailer;
        } else {
            pad(line, r.shape, wShape);
            line += "  ";
            pad(line, r.dtype, wDtype);
            line += "  ";
            pad(line, r.params, wParams, i != 0);
            line += "  ";
            pad(line, r.bytes, wBytes, i != 0);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
        if (!r.isValue && !r.trailer.empty()) {
            // Statistics go on their own line, indented under the tensor's name.
            const std::size_t indent = r.name.find_first_not_of(' ');
            out +=
                std::string((indent == std::string::npos ? 0 : indent) + 4, ' ') + r.trailer + "\n";
        }
    }
    if (rows.size() == 1) out += "(no nodes)\n";

    const Totals& t = in.only ? in.totals.of(*in.only) : in.totals.model();
    out += "\ntotals: " + withThousands(t.tensors) + " tensors, " + withThousands(t.parameters) +
           " parameters, " + withThousands(t.bytes) + " bytes";
    if (t.bytes >= 1024) out += " (" + humanBytes(t.bytes) + ")";
    out += "\n";
    if (!m.warnings.empty()) {
        out += "warnings:\n";
        for (const std::string& w : m.warnings) out += "  - " + printable(w) + "\n";
    }
    auto joined = [](const std::vector<std::string>& v) {
        std::string s;
        for (const std::string& x : v) s += (s.empty() ? "" : ", ") + printable(x);
        return s;
    };
    if (!m.pickle.placeholderClasses.empty())
        out += "placeholder classes: " + joined(m.pickle.placeholderClasses) + "\n";
    if (!m.pickle.dangerousGlobals.empty())
        out += "WARNING: refused dangerous globals: " + joined(m.pickle.dangerousGlobals) + "\n";
    return out;
}

}  // namespace wscli
