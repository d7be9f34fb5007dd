// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <string>
#include <vector>

namespace wscli {

// `weightsmith-cli compare A B [--json] [--pair a=b ...]`: pairs the layers of two models and
// prints max |A-B|, relative Frobenius norm, cosine similarity and identical per tensor pair and
// layer pair (core/compare). Exit 0 when every layer is paired and identical, 3 when something
// differs, 1 unreadable or unalignable input, 2 usage error.
int runCompare(const std::vector<std::string>& args);

}  // namespace wscli
