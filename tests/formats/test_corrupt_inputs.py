#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Damaged files never crash weightsmith-cli.

For every fixture and bundled example: at least 16 truncated copies (cut points inside the
leading metadata, spread over the file, and near the end where zip directories live) and at
least 16 copies with seeded random byte flips (in the first 4 KiB, the last 4 KiB and anywhere).
Each copy goes through `inspect --json` and `inspect --stats` under a timeout. Allowed: exit 0
(damage the format cannot notice, e.g. flipped tensor bytes) or exit 1 with a message on stderr
that names the file. Anything else (a signal, abort, timeout, exit 2, a sanitizer report) fails
and the copy is kept under $WS_BUILD_DIR/corrupt_failures/ as a reproducer.

Third-party exceptions, each narrow: libhdf5 1.10 (Debian's, not ours, not instrumented)
corrupts memory on some damaged metadata, so the HDF5 reader rehearses its metadata walk in a
forked child and rejects the file when the child dies. Under ASan the dying child still prints a
report. It is accepted only when the CLI then rejected the file (exit 1, "libhdf5 crashed") and
every report's top frames are inside libhdf5, never in Weightsmith code; such cases are counted.
libhdf5's own small leaks on its error paths are suppressed (lsan_libhdf5.supp), and absurd
mallocs return NULL to it as they do outside ASan (libhdf5 then reports "allocation failed").
"""
import concurrent.futures
import json
import re
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_support as ws  # noqa: E402
import unittest_main  # noqa: E402

TRUNCATIONS = 16
FLIPS = 16
TIMEOUT = 60 if ws.SANITIZED else 20
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer",
                     "runtime error:", "MemorySanitizer")
# Virtual-memory cap for unsanitized runs, so a corrupt size field cannot make the CLI take the
# machine's memory; ASan reserves terabytes of shadow, so it gets an RSS limit instead.
ADDRESS_SPACE_LIMIT = 4 << 30


def cut_points(size):
    """Sorted, unique truncation lengths: leading metadata, spread, and the tail."""
    head = [1, 8, 16, 64, 200, 512, 1024, 4096]
    spread = [size * i // 10 for i in range(1, 10)]
    tail = [size - 1, size - 22, size - 100, size - 1000]
    points = sorted({p for p in head + spread + tail if 0 < p < size})
    k = 2
    while len(points) < TRUNCATIONS and k < 64:  # small files: fill in more spread points
        points = sorted(set(points) | {size * i // (k * 10) for i in range(1, k * 10)} - {0})
        points = [p for p in points if p < size]
        k *= 2
    return points


def flipped_copies(data, seed):
    """FLIPS copies with 1..8 bytes XOR-ed by a random non-zero value each."""
    rng = random.Random(seed)
    size = len(data)
    regions = [(0, min(size, 4096)), (max(0, size - 4096), size), (0, size)]
    for i in range(FLIPS):
        lo, hi = regions[i % len(regions)]
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(lo, hi)
            buf[pos] ^= rng.randint(1, 255)
        yield "flip%02d" % i, bytes(buf)


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))


def child_env():
    env = dict(os.environ)
    # The HDF5 reader gives up on a looping metadata walk after 20 s; a short limit keeps the
    # run bounded (such a copy must still end in exit 1).
    env.setdefault("WS_HDF5_WALK_TIMEOUT", "5")
    # Distinct exit codes for sanitizer reports (ASan's default of 1 would look like "rejected").
    env["ASAN_OPTIONS"] = "exitcode=86:detect_leaks=1:hard_rss_limit_mb=3000:" \
        "allocator_may_return_null=1:" + env.get("ASAN_OPTIONS", "")
    env["LSAN_OPTIONS"] = "suppressions=%s:%s" % (
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan_libhdf5.supp"),
        env.get("LSAN_OPTIONS", ""))
    env["UBSAN_OPTIONS"] = "exitcode=87:print_stacktrace=1:halt_on_error=1:" + \
        env.get("UBSAN_OPTIONS", "")
    return env


def contained_hdf5_crash(err, rc):
    """True when the only sanitizer reports come from libhdf5 crashing in the reader's isolated
    probe child, and the CLI rejected the file because of it."""
    if rc != 1 or "libhdf5 crashed" not in err:
        return False
    reports = re.split(r"==\d+==ERROR: ", err)[1:]
    if not reports:
        return False
    for report in reports:
        if not report.startswith("AddressSanitizer: "):
            return False
        top = re.findall(r"^\s*#[0-3] .*$", report, re.M)
        if not any("libhdf5" in f for f in top) or any("ws::" in f or "/work/" in f for f in top):
            return False
    return True


def run_one(path, mode):
    """None when the CLI behaved, "contained" for an isolated libhdf5 crash (see the module
    doc), else a description of what went wrong."""
    args = [ws.CLI, "inspect", path] + (["--json"] if mode == "json" else ["--stats"])
    try:
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TIMEOUT, env=child_env(),
                              preexec_fn=None if ws.SANITIZED else limit_memory)
    except subprocess.TimeoutExpired:
        return "timed out after %d s" % TIMEOUT
    err = proc.stderr.decode(errors="replace")
    rc = proc.returncode
    if any(marker in err for marker in SANITIZER_MARKERS):
        if contained_hdf5_crash(err, rc):
            return "contained"
        return "sanitizer report (exit %d):\n%s" % (rc, err[-3000:])
    if rc < 0:
        return "killed by signal %s\n%s" % (signal.Signals(-rc).name, err[-2000:])
    if rc not in (0, 1):
        return "exit code %d\n%s" % (rc, err[-2000:])
    if rc == 1:
        if path not in err:
            return "exit 1 but stderr does not name the file: %r" % err[-500:]
    elif mode == "json":
        try:
            json.loads(proc.stdout.decode("utf-8"))
        except ValueError as e:
            return "exit 0 but stdout is not JSON: %s" % e
    return None


class CorruptInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        reason = ws.skip_reason()
        if reason:
            print("SKIP: " + reason)
            raise unittest.SkipTest(reason)
        base = os.environ.get("WS_BUILD_DIR") or tempfile.gettempdir()
        cls.workdir = tempfile.mkdtemp(prefix="corrupt_inputs_", dir=base)
        cls.faildir = os.path.join(base, "corrupt_failures")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def copies_of(self, path):
        with open(path, "rb") as f:
            data = f.read()
        for n in cut_points(len(data)):
            yield "cut%d" % n, data[:n]
        yield from flipped_copies(data, zlib.crc32(os.path.basename(path).encode()))

    def check_file(self, path):
        stem = os.path.basename(path)
        jobs = []
        for tag, data in self.copies_of(path):
            copy = os.path.join(self.workdir, "%s.%s" % (tag, stem))
            with open(copy, "wb") as f:
                f.write(data)
            jobs += [(copy, "json"), (copy, "stats")]
        truncations = sum(1 for c, m in jobs if m == "json" and "/cut" in c)
        self.assertGreaterEqual(truncations, min(TRUNCATIONS, os.path.getsize(path) - 1))
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda j: run_one(*j), jobs))
        failures = []
        for (copy, mode), problem in zip(jobs, results):
            if problem == "contained":
                self.contained += 1
            elif problem:
                os.makedirs(self.faildir, exist_ok=True)
                kept = os.path.join(self.faildir, os.path.basename(copy))
                shutil.copyfile(copy, kept)
                failures.append("%s inspect --%s: %s" % (kept, mode, problem))
        for copy, _ in jobs[::2]:
            os.unlink(copy)
        self.assertFalse(failures, "\n\n".join(failures))
        return len(jobs)

    def test_damaged_copies_are_rejected_cleanly(self):
        files = ws.fixture_files() + ws.example_files()
        self.assertTrue(files)
        total = 0
        self.contained = 0
        for path in files:
            with self.subTest(file=os.path.basename(path)):
                total += self.check_file(path)
        print("ran %d inspect calls on damaged copies of %d files; %d were libhdf5 crashes "
              "contained by the reader's isolated probe" % (total, len(files), self.contained))


if __name__ == "__main__":
    unittest_main.main()
