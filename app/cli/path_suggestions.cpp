// SPDX-License-Identifier: GPL-3.0-or-later
#include "path_suggestions.h"

#include <algorithm>

namespace wscli {

namespace {

// Levenshtein distance, giving up (returning cap + 1) once it must exceed cap.
std::size_t editDistance(const std::string& a, const std::string& b, std::size_t cap) {
    const std::size_t la = a.size(), lb = b.size();
    if ((la > lb ? la - lb : lb - la) > cap) return cap + 1;
    std::vector<std::size_t> prev(lb + 1), cur(lb + 1);
    for (std::size_t j = 0; j <= lb; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= la; ++i) {
        cur[0] = i;
        std::size_t rowMin = cur[0];
        for (std::size_t j = 1; j <= lb; ++j) {
            const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
            rowMin = std::min(rowMin, cur[j]);
        }
        if (rowMin > cap) return cap + 1;
        std::swap(prev, cur);
    }
    return prev[lb];
}

}  // namespace

std::vector<std::string> suggestPaths(const ws::Model& model, const std::string& wanted,
                                      std::size_t limit) {
    const std::size_t cap = std::max<std::size_t>(2, wanted.size() / 4);
    std::vector<std::pair<std::size_t, std::string>> scored;  // (score, path); lower is closer
    model.forEachNode([&](ws::Node& node) {
        const std::string& p = node.path;
        if (p.empty()) return;
        // A path containing what was typed ("weight" -> "fc1.weight") ranks right after exact
        // near-misses; everything else by edit distance.
        const std::size_t distance = editDistance(p, wanted, cap);
        const std::size_t score =
            std::min(distance, p.find(wanted) != std::string::npos ? std::size_t(2) : cap + 1);
        if (score <= cap) scored.emplace_back(score, p);
    });
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (const auto& s : scored) {
        if (out.size() >= limit) break;
        out.push_back(s.second);
    }
    return out;
}

}  // namespace wscli
