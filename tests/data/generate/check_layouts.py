#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that every generated stand-in keeps the layout of the public file it stands in for.

  check_layouts.py SHARED_FIXTURES_DIR LAID_OUT_FIXTURES_DIR

Runs where ../shared/fixtures/real is beside the repository (ctest registers it only then). For
each file the generators write, the public file of the same name must exist and the two must
have the same layout_signature.layout(); every public file that is neither in tests/data/real
nor generated is named as not covered.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import layout_signature  # noqa: E402
import make_fixtures  # noqa: E402


def listed(root):
    out = set()
    for kind in ("keras", "pytorch"):
        folder = os.path.join(root, kind)
        if os.path.isdir(folder):
            out |= {"%s/%s" % (kind, name) for name in os.listdir(folder)}
    return out


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    shared, laid_out = argv[1], argv[2]
    real = listed(make_fixtures.REAL)
    generated = listed(laid_out) - real
    failures = 0
    for rel in sorted(generated):
        original = os.path.join(shared, rel)
        if not os.path.exists(original):
            if os.path.basename(rel).startswith("gen_"):
                continue  # an extra variant of our own, not a stand-in
            print("FAIL %s: no public file of that name in %s" % (rel, shared))
            failures += 1
            continue
        lines = layout_signature.differences(original, os.path.join(laid_out, rel))
        print("%s %s" % ("FAIL" if lines else "ok  ", rel))
        for line in lines:
            print("     " + line)
        failures += bool(lines)
    uncovered = sorted(listed(shared) - real - generated)
    for rel in uncovered:
        print("FAIL %s: a public file with neither a licensed copy nor a stand-in" % rel)
    failures += len(uncovered)
    print("%d passed, %d failed" % (len(generated) - failures + len(uncovered), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
