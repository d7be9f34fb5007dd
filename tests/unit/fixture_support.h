// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Where the shared read-only fixtures are, and the one way a unit test asks for one: when the
// fixture is absent the test prints a SKIP line (so a run without fixtures says so) and skips.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace ws_test {

// WS_FIXTURES (env) overrides the WS_FIXTURES_DIR the build was configured with.
inline std::string fixturesDir() {
    const char* env = std::getenv("WS_FIXTURES");
    return env && *env ? env : WS_FIXTURES_DIR;
}

// The path of fixture `rel` ("keras/x.h5", "pytorch/y.pth"), or nothing when it is absent.
inline std::optional<std::string> fixture(const std::string& rel) {
    std::string path = fixturesDir() + "/" + rel;
    if (!std::filesystem::exists(path)) return std::nullopt;
    return path;
}

inline void printFixtureSkip(const std::string& rel) {
    std::printf("SKIP: fixture %s not found under %s\n", rel.c_str(), fixturesDir().c_str());
}

}  // namespace ws_test

// Declares `const std::string var` = the fixture's path, or prints SKIP and skips the test.
#define WS_REQUIRE_FIXTURE(var, rel)                                           \
    const std::optional<std::string> var##FixturePath = ws_test::fixture(rel); \
    if (!var##FixturePath) {                                                   \
        ws_test::printFixtureSkip(rel);                                        \
        GTEST_SKIP() << "fixture missing";                                     \
    }                                                                          \
    const std::string var = *var##FixturePath
