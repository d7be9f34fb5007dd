# SPDX-License-Identifier: GPL-3.0-or-later
"""The committed test data is what its MANIFEST says: every file under tests/data/real is listed
with its sha256 and size, every listed file is there, each names a licence whose text is in
tests/data/real/LICENSES, and the whole stays small (issue: at most 15 MiB committed)."""
import hashlib
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unittest_main  # noqa: E402

REAL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "real")
ROW = re.compile(r"^\| `([^`]+)` \|.*\| [^|]*\(\[text\]\(([^)]+)\)\) \| (\d+) \| `([0-9a-f]{64})` \|")


def manifest_rows():
    with open(os.path.join(REAL, "MANIFEST.md")) as f:
        return [m.groups() for m in map(ROW.match, f) if m]


class TestDataManifest(unittest.TestCase):
    def test_every_file_is_listed_and_intact(self):
        rows = manifest_rows()
        listed = {rel for rel, _, _, _ in rows}
        present = {"%s/%s" % (kind, name) for kind in ("keras", "pytorch")
                   for name in os.listdir(os.path.join(REAL, kind))}
        self.assertEqual(present, listed)
        for rel, licence_text, size, sha256 in rows:
            with open(os.path.join(REAL, rel), "rb") as f:
                data = f.read()
            self.assertEqual(len(data), int(size), rel)
            self.assertEqual(hashlib.sha256(data).hexdigest(), sha256, rel)
            self.assertTrue(os.path.isfile(os.path.join(REAL, licence_text)), licence_text)

    def test_committed_data_stays_small(self):
        total = sum(os.path.getsize(os.path.join(d, f))
                    for d, _, files in os.walk(os.path.dirname(REAL)) for f in files)
        self.assertLessEqual(total, 15 * 1024 * 1024)


if __name__ == "__main__":
    unittest_main.main()
