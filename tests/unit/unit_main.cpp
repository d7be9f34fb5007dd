// SPDX-License-Identifier: GPL-3.0-or-later
// The unit tests' main: gtest_main, except that a run which skipped a case (and failed none)
// exits with ctest's skip code. gtest exits 0 after GTEST_SKIP(), which would let a case that
// could not run pass; ctest runs each case on its own (gtest_discover_tests), so a skipped case
// shows as skipped and scripts/run-tests.sh refuses it.
#include <gtest/gtest.h>

namespace {
constexpr int kSkipExitCode = 77;  // SKIP_RETURN_CODE in tests/CMakeLists.txt
}

int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    const int status = RUN_ALL_TESTS();
    const testing::UnitTest& run = *testing::UnitTest::GetInstance();
    if (status == 0 && run.skipped_test_count() > 0) return kSkipExitCode;
    return status;
}
