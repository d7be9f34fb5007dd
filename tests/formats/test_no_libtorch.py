#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""weightsmith-cli reads PyTorch files without libtorch: neither linked (ldd, symbols) nor loaded
at run time (the dynamic loader's own log, LD_DEBUG=libs, which also sees dlopen).

Each detector is first shown to fire on something that really uses libtorch (Debian's torch
Python extension), so a passing test is not a detector that can never fail.
"""
import glob
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_support as ws  # noqa: E402
import unittest_main  # noqa: E402

TORCH_LIB = re.compile(r"lib(torch[a-z_]*|c10[a-z_]*)\.so")
PYTHON = "/usr/bin/python3"


def loaded_libraries(cmd):
    """Shared objects the dynamic loader initialised while running cmd (LD_DEBUG=libs)."""
    env = dict(os.environ, LD_DEBUG="libs")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          timeout=120)
    libs = set()
    for line in proc.stderr.decode(errors="replace").splitlines():
        m = re.search(r"calling init: (\S+)", line)
        if m:
            libs.add(m.group(1))
    return proc.returncode, libs


def torch_libs(libs):
    return sorted(lib for lib in libs if TORCH_LIB.search(os.path.basename(lib)))


def ldd(path):
    return subprocess.run(["ldd", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=60).stdout.decode(errors="replace")


def torch_extension():
    import torch  # noqa: F401  (locates the extension module; only the oracle Python has it)
    found = glob.glob(os.path.join(os.path.dirname(torch.__file__), "_C*.so"))
    return found[0] if found else None


class NoLibtorchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ws.CLI or not os.path.isfile(ws.CLI):
            print("SKIP: WS_CLI is not set or does not exist")
            raise unittest.SkipTest("no CLI")

    def inputs(self):
        files = [f for f in ws.fixture_files() if "/pytorch/" in f] + ws.example_files()
        if not files:
            print("SKIP: no PyTorch fixtures or examples; checking --help only")
        return files

    def test_detector_sees_libtorch_when_torch_is_imported(self):
        rc, libs = loaded_libraries([PYTHON, "-c", "import torch"])
        self.assertEqual(rc, 0)
        self.assertTrue(torch_libs(libs), "LD_DEBUG=libs saw no libtorch while importing torch; "
                        "the detector is blind: %s" % sorted(libs)[:10])

    def test_cli_loads_no_libtorch_while_reading_pytorch_files(self):
        for path in self.inputs():
            with self.subTest(file=os.path.basename(path)):
                rc, libs = loaded_libraries([ws.CLI, "inspect", path, "--json", "--stats"])
                self.assertEqual(rc, 0, "inspect %s failed" % path)
                self.assertTrue(libs, "LD_DEBUG=libs reported nothing at all")
                self.assertEqual(torch_libs(libs), [], "libtorch loaded reading " + path)

    def test_ldd_shows_no_libtorch(self):
        ext = torch_extension()
        if ext:  # the same check fires on a binary that does link libtorch
            self.assertTrue(TORCH_LIB.search(ldd(ext)), "ldd of %s shows no libtorch" % ext)
        out = ldd(ws.CLI)
        self.assertIn("libc.so", out, "ldd did not list the CLI's libraries: " + out)
        self.assertIsNone(TORCH_LIB.search(out), "weightsmith-cli links libtorch:\n" + out)

    def test_no_c10_symbols_linked_statically(self):
        # Every libtorch build defines symbols in namespace c10 (mangled "_ZN3c10"); a static
        # link would carry them into the binary.
        c10 = glob.glob("/usr/lib/*/libc10.so*")
        if c10:
            with open(c10[0], "rb") as f:
                self.assertIn(b"_ZN3c10", f.read(), "c10 symbol probe is blind")
        with open(ws.CLI, "rb") as f:
            self.assertNotIn(b"_ZN3c10", f.read(), "weightsmith-cli contains c10 symbols")


if __name__ == "__main__":
    unittest_main.main()
