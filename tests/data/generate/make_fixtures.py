#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lays out the fixture folder every test reads (WS_FIXTURES): the real, licensed files from
tests/data/real, plus stand-ins generated here by the real engines (Debian's torch 1.13, h5py,
numpy) for the public files whose licence keeps them out of the repository. A stand-in has the
name of the file it stands in for and its layout (test_generated_layouts.py checks that where
../shared/fixtures/real is present); its values are seeded random numbers.

Usage: /usr/bin/python3 make_fixtures.py OUT_DIR
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(os.path.dirname(HERE), "real")
sys.path.insert(0, HERE)

import gen_keras2  # noqa: E402
import gen_keras3  # noqa: E402
import gen_torch  # noqa: E402

GENERATORS = (gen_torch, gen_keras2, gen_keras3)


def copy_real(out_dir):
    copied = []
    for kind in ("keras", "pytorch"):
        src = os.path.join(REAL, kind)
        os.makedirs(os.path.join(out_dir, kind), exist_ok=True)
        for name in sorted(os.listdir(src)):
            shutil.copyfile(os.path.join(src, name), os.path.join(out_dir, kind, name))
            copied.append("%s/%s" % (kind, name))
    return copied


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    out_dir = argv[1]
    # Start empty, so a file a generator stopped writing does not linger from an earlier run.
    shutil.rmtree(out_dir, ignore_errors=True)
    real = copy_real(out_dir)
    generated = []
    for generator in GENERATORS:
        made = generator.generate(out_dir)
        clash = sorted(set(made) & set(real + generated))
        if clash:
            raise SystemExit("make_fixtures: %s wrote %s twice" % (generator.__name__, clash))
        generated += made
    print("make_fixtures: %d real and %d generated files in %s" % (len(real), len(generated), out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
