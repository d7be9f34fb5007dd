// SPDX-License-Identifier: GPL-3.0-or-later
#include "compare/comparison_report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace ws::compare {

namespace {

nlohmann::json finiteOrNull(double v) { return std::isfinite(v) ? nlohmann::json(v) : nullptr; }

nlohmann::json labelOrNull(const std::string& s) {
    return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string metricsText(const DiffMetrics& m, bool identical) {
    return "max|A-B| " + number(m.maxAbsDiff) + "  rel.Frobenius " + number(m.relativeFrobenius()) +
           "  cosine " + number(m.cosine()) +
           (identical ? "  identical"
                      : "  differ (" + std::to_string(m.differing) + " of " +
                            std::to_string(m.count) + " elements)") +
           (m.nonFinite ? "  non-finite pairs " + std::to_string(m.nonFinite) : "");
}

}  // namespace

nlohmann::json metricsJson(const DiffMetrics& m) {
    return {{"count", m.count},
            {"differing", m.differing},
            {"non_finite", m.nonFinite},
            {"max_abs_diff", m.maxAbsDiff},
            {"rel_frobenius", finiteOrNull(m.relativeFrobenius())},
            {"cosine", m.cosine()}};
}

nlohmann::json comparisonJson(const ModelComparison& c) {
    nlohmann::json layers = nlohmann::json::array();
    std::size_t unpairedA = 0, unpairedB = 0;
    for (const LayerComparison& l : c.layers) {
        unpairedA += l.pair.b < 0;
        unpairedB += l.pair.a < 0;
        nlohmann::json tensors = nlohmann::json::array();
        for (const TensorComparison& t : l.tensors)
            tensors.push_back(
                {{"role", t.role},
                 {"path_a", labelOrNull(t.pathA)},
                 {"path_b", labelOrNull(t.pathB)},
                 {"shape_a", t.shapeA},
                 {"shape_b", t.shapeB},
                 {"problem", t.problem},
                 {"identical", t.identical()},
                 {"metrics", t.metrics.count || t.problem.empty() ? metricsJson(t.metrics)
                                                                  : nlohmann::json(nullptr)}});
        layers.push_back({{"a", labelOrNull(l.labelA)},
                          {"b", labelOrNull(l.labelB)},
                          {"kind_a", l.kindA},
                          {"kind_b", l.kindB},
                          {"paired_by", pairedByName(l.pair.by)},
                          {"identical", l.identical()},
                          {"problem", l.problem},
                          {"metrics", metricsJson(l.total)},
                          {"tensors", tensors}});
    }
    return {{"cross_format", c.crossFormat},
            {"layout", c.layout},
            {"notes", c.notes},
            {"layers", layers},
            {"summary",
             {{"layer_pairs", c.layers.size() - unpairedA - unpairedB},
              {"identical_layers", c.identicalLayers()},
              {"unpaired_a", unpairedA},
              {"unpaired_b", unpairedB}}}};
}

std::string comparisonText(const ModelComparison& c) {
    std::ostringstream out;
    out << "layout: " << c.layout << "\n";
    for (const LayerComparison& l : c.layers) {
        out << (l.labelA.empty() ? "-" : l.labelA) << " <-> " << (l.labelB.empty() ? "-" : l.labelB)
            << "  [" << (l.kindA.empty() ? l.kindB : l.kindA) << ", " << pairedByName(l.pair.by)
            << "]";
        if (!l.problem.empty())
            out << "  problem: " << l.problem;
        else if (l.pair.a >= 0 && l.pair.b >= 0)
            out << "  " << metricsText(l.total, l.identical());
        out << "\n";
        for (const TensorComparison& t : l.tensors) {
            out << "    " << t.role << " " << shapeToString(t.shapeA.empty() ? t.shapeB : t.shapeA)
                << ": ";
            if (t.problem.empty())
                out << metricsText(t.metrics, t.identical());
            else
                out << t.problem;
            out << "\n";
        }
    }
    for (const std::string& n : c.notes) out << "note: " << n << "\n";
    std::size_t pairs = 0;
    for (const LayerComparison& l : c.layers) pairs += l.pair.a >= 0 && l.pair.b >= 0;
    out << "compare: " << c.identicalLayers() << " of " << pairs << " layer pairs identical, "
        << c.layers.size() - pairs << " unpaired\n";
    return out.str();
}

}  // namespace ws::compare
