// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A ModelComparison as text (one line per layer pair, indented lines per tensor pair) and as
// JSON (`weightsmith-cli compare --json`; the layout is documented in docs/compare.md).
#include <string>

#include <nlohmann/json.hpp>

#include "compare/model_comparer.h"

namespace ws::compare {

nlohmann::json metricsJson(const DiffMetrics& m);  // rel_frobenius +inf -> null
nlohmann::json comparisonJson(const ModelComparison& c);
std::string comparisonText(const ModelComparison& c);

}  // namespace ws::compare
