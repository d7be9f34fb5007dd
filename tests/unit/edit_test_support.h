// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared by the edit/save unit tests: where the bundled examples and fixtures are, and a copy
// of a file into a scratch folder (tests never write next to the read-only originals).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "fixture_support.h"
#include "model/model.h"
#include "oracle_python.h"

namespace ws_test {

// The path of a bundled example, or "" with a SKIP line when it is absent (fixtures: see
// WS_REQUIRE_FIXTURE in fixture_support.h).
inline std::string exampleFile(const std::string& name) {
    const std::string path = std::string(WS_EXAMPLES_DIR) + "/" + name;
    if (!std::ifstream(path)) std::printf("SKIP: example %s not found\n", path.c_str());
    return std::ifstream(path) ? path : "";
}

inline std::string copyToScratch(const std::string& from, const std::string& leaf) {
    const std::string to = tempPath(leaf);
    writeFileBytes(to, readFileBytes(from));
    return to;
}

inline std::vector<double> valuesAt(const ws::Model& m, const std::string& path) {
    const ws::Node* n = m.find(path);
    if (!n || !n->tensor) throw std::runtime_error("no tensor at " + path);
    return n->tensor->toDoubles();
}

// True when the oracle Python can import torch (else the caller skips).
inline bool haveTorch() {
    int status = 0;
    runOracle("import torch\n", {}, &status);
    if (status != 0) std::printf("SKIP: %s cannot import torch\n", WS_ORACLE_PYTHON);
    return status == 0;
}

}  // namespace ws_test
