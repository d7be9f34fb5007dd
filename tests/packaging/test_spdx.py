#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every source, script and CMake file of the project names its licence in an
`SPDX-License-Identifier: GPL-3.0-or-later` line (scripts/spdx_headers.py decides which files
and where the line goes); and the sweep (`scripts/spdx_headers.py --fix`) puts the line in the
right place, leaves third-party test data and other files alone, and changes nothing when run again.

Environment: WS_SOURCE_DIR (default: the tree this file is in).
"""

import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("WS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
SCRIPT = SOURCE_DIR / "scripts/spdx_headers.py"

spec = importlib.util.spec_from_file_location("spdx_headers", SCRIPT)
spdx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(spdx)

LINE = "SPDX-License-Identifier: GPL-3.0-or-later"


class SourceTreeTest(unittest.TestCase):
    def test_every_project_file_has_the_line(self):
        problems = spdx.scan(SOURCE_DIR)
        self.assertEqual([f"{rel}: {problem}" for rel, _, problem in problems], [],
                         "run scripts/spdx_headers.py --fix")

    def test_the_check_covers_the_project(self):
        # A guard against a check that silently looks at nothing (no git, wrong root).
        checked = [rel for rel in spdx.candidate_files(SOURCE_DIR)
                   if not spdx.excluded(rel)
                   and spdx.comment_prefix(SOURCE_DIR / rel, (SOURCE_DIR / rel).read_bytes()[:2])]
        for expected in ["CMakeLists.txt", "app/cli/main.cpp", "cmake/packaging.cmake",
                         "scripts/install-deps.sh", "scripts/spdx_headers.py", ".ci/run"]:
            self.assertIn(expected, checked)
        self.assertFalse([rel for rel in checked if rel.startswith("tests/data/real/")])


class SweepTest(unittest.TestCase):
    FILES = {
        "core/a.cpp": "#include <x>\n",
        "core/a.h": "#pragma once\n// what it is\n",
        "core/version.h.in": "#define V \"@PROJECT_VERSION@\"\n",
        "CMakeLists.txt": "project(x)\n",
        "cmake/more.cmake": "set(a b)",  # no final newline
        "scripts/tool.py": "#!/usr/bin/python3\n# -*- coding: utf-8 -*-\n\"\"\"Doc.\"\"\"\n",
        "scripts/run.sh": "#!/usr/bin/env bash\nset -e\n",
        ".ci/run": "#!/usr/bin/env bash\nexec true\n",
        "tests/oracle/oracle.mjs": "import x from 'y';\n",
        "scripts/prose.py": '"""Mentions SPDX-License-Identifier: GPL-3.0-or-later."""\n',
        "tests/data/generate/make.py": '"""Writes stand-ins."""\n',  # our generator
        "packaging/man/tool.1": ".TH TOOL 1\n",
        "packaging/man/tool.1.in": ".TH TOOL 1 \"@V@\"\n",
        # not ours to mark:
        "tests/data/real/tool/convert.py": "print(1)\n",  # another project's file
        "docs/notes.md": "# Notes\n",
        "packaging/app.desktop": "[Desktop Entry]\n",
        "resources/x.qrc": "<RCC/>\n",
        "node_modules/dep/index.js": "module.exports = 1;\n",
    }
    EXPECTED = {
        "core/a.cpp": f"// {LINE}\n#include <x>\n",
        "core/a.h": f"// {LINE}\n#pragma once\n// what it is\n",
        "core/version.h.in": f"// {LINE}\n#define V \"@PROJECT_VERSION@\"\n",
        "CMakeLists.txt": f"# {LINE}\nproject(x)\n",
        "cmake/more.cmake": f"# {LINE}\nset(a b)",
        "scripts/tool.py": f"#!/usr/bin/python3\n# -*- coding: utf-8 -*-\n# {LINE}\n\"\"\"Doc.\"\"\"\n",
        "scripts/run.sh": f"#!/usr/bin/env bash\n# {LINE}\nset -e\n",
        ".ci/run": f"#!/usr/bin/env bash\n# {LINE}\nexec true\n",
        "tests/oracle/oracle.mjs": f"// {LINE}\nimport x from 'y';\n",
        # The tag quoted in a docstring is not the line.
        "scripts/prose.py": f'# {LINE}\n"""Mentions SPDX-License-Identifier: GPL-3.0-or-later."""\n',
        "packaging/man/tool.1": f".\\\" {LINE}\n.TH TOOL 1\n",
        "tests/data/generate/make.py": f'# {LINE}\n"""Writes stand-ins."""\n',
        "packaging/man/tool.1.in": f".\\\" {LINE}\n.TH TOOL 1 \"@V@\"\n",
    }

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="ws-spdx-")
        self.root = Path(self.tmp.name)
        for rel, text in self.FILES.items():
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.root / rel).write_text(text)

    def tearDown(self):
        self.tmp.cleanup()

    def sweep(self, *extra):
        return subprocess.run([sys.executable, str(SCRIPT), "--root", str(self.root), *extra],
                              capture_output=True, text=True)

    def tree(self):
        return {rel: (self.root / rel).read_text() for rel in self.FILES}

    def test_check_lists_what_is_missing(self):
        r = self.sweep()
        self.assertEqual(r.returncode, 1)
        for rel in self.EXPECTED:
            self.assertIn(f"{rel}: SPDX-License-Identifier line missing", r.stdout)
        for rel in set(self.FILES) - set(self.EXPECTED):
            self.assertNotIn(rel, r.stdout)

    def test_fix_puts_the_line_in_place_once(self):
        r = self.sweep("--fix")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        after = self.tree()
        for rel, text in self.EXPECTED.items():
            self.assertEqual(after[rel], text, rel)
        for rel in set(self.FILES) - set(self.EXPECTED):
            self.assertEqual(after[rel], self.FILES[rel], f"{rel} is not ours to mark")
        # Rerunnable: a second sweep and the check change and report nothing.
        self.assertEqual(self.sweep("--fix").returncode, 0)
        self.assertEqual(self.tree(), after)
        self.assertEqual(self.sweep().returncode, 0)

    def test_another_licence_is_reported_not_rewritten(self):
        other = "// SPDX-License-Identifier: MIT\nint x;\n"
        (self.root / "core/a.cpp").write_text(other)
        r = self.sweep("--fix")
        self.assertEqual(r.returncode, 1)
        self.assertIn("core/a.cpp: SPDX-License-Identifier line names another licence", r.stdout)
        self.assertEqual((self.root / "core/a.cpp").read_text(), other)


if __name__ == "__main__":
    unittest.main(verbosity=2)
