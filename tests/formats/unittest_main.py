# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way a Python test file ends: run its unittest cases and tell ctest how it went.

unittest exits 0 when cases were skipped, so a test that could not run would pass silently.
Here a run with any skipped case (and no failure) exits with WS_SKIP_CODE, which ctest counts as
skipped (SKIP_RETURN_CODE) and scripts/run-tests.sh refuses.
"""
import sys
import unittest

WS_SKIP_CODE = 77


def main():
    program = unittest.main(module="__main__", verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun == 0:
        print("SKIP: no test ran")
        sys.exit(WS_SKIP_CODE)
    if result.skipped:
        for case, reason in result.skipped:
            print("SKIP: %s: %s" % (case.id(), reason))
        sys.exit(WS_SKIP_CODE)
    sys.exit(0)
