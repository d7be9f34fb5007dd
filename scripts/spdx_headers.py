#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks, or adds, the `SPDX-License-Identifier: GPL-3.0-or-later` line at the top of every
source, script and CMake file of the project.

  scripts/spdx_headers.py          # lists the files without the line; exit status 1 if any
  scripts/spdx_headers.py --fix    # the sweep: adds the line where it is missing (rerun it
                                   # after adding files; files that have it stay untouched)

Which files: those git lists in the source tree (tracked, and untracked but not ignored; without
git, every file outside build*/ and dot folders) that are C or C++ (.c .cc .cpp .h .hpp),
Python, shell, JavaScript (.js .mjs), CMake (CMakeLists.txt, *.cmake), man pages (*.1 ... *.9),
templates of those (a trailing .in), or any other file starting with `#!`.
Never: third-party files (THIRD_PARTY below: the real test data in tests/data/real/, other
projects' files under their own licences). Test data of any other kind is never a source type;
the project's own generators and scripts beside it (tests/data/generate/*.py) do get the line. The line goes first, or right after a `#!` line (and a Python coding line), in the
file's own comment syntax.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

LICENSE = "GPL-3.0-or-later"
TAG = "SPDX-License-Identifier:"
# Paths (relative, '/'-separated) never checked or changed: a prefix ending in '/' is a folder.
THIRD_PARTY = [
    "tests/data/real/",  # real files from other projects, with their own licences
]
SKIP_DIRS = {"node_modules", "__pycache__"}
# How many lines from the top the tag may be found in (after #!, coding line, or a comment
# opener such as '<!--').
HEAD_LINES = 4

SLASH = "// "
HASH = "# "
ROFF = '.\\" '
BY_SUFFIX = {
    ".c": SLASH, ".cc": SLASH, ".cpp": SLASH, ".h": SLASH, ".hpp": SLASH,
    ".js": SLASH, ".mjs": SLASH,
    ".py": HASH, ".sh": HASH, ".cmake": HASH,
}
BY_NAME = {"CMakeLists.txt": HASH}
MAN_SUFFIX = re.compile(r"^\.[1-9]$")


def comment_prefix(path: Path, head: bytes):
    """The comment syntax the line is written in, or None when the file is not ours to mark."""
    name = path.name
    if name.endswith(".in"):  # a template: judged by what it generates
        name = name[:-3]
    if name in BY_NAME:
        return BY_NAME[name]
    suffix = Path(name).suffix
    if suffix in BY_SUFFIX:
        return BY_SUFFIX[suffix]
    if MAN_SUFFIX.match(suffix):
        return ROFF
    if head.startswith(b"#!"):
        return HASH
    return None


def excluded(rel: str) -> bool:
    parts = rel.split("/")
    if any(p in SKIP_DIRS for p in parts[:-1]):
        return True
    return any(rel == t or (t.endswith("/") and rel.startswith(t)) for t in THIRD_PARTY)


def candidate_files(root: Path):
    """Relative '/'-paths of the project's files: git's view when it has one."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True).stdout
        names = sorted({n for n in out.decode().split("\0") if n})
        return [n for n in names if (root / n).is_file() and not (root / n).is_symlink()]
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith((".", "build")) or d == ".ci"]
        for f in filenames:
            found.append(Path(dirpath, f).relative_to(root).as_posix())
    return sorted(found)


# The tag on a comment line of its own (not, say, quoted in a docstring).
TAG_LINE = re.compile(r"^\s*(?:#|//|/\*|\*|\.\\\"|<!--|--)\s*" + re.escape(TAG) + r"\s*(\S.*)?$")


def tag_lines(text: str):
    """The SPDX expressions named near the top of `text`."""
    found = []
    for line in text.splitlines()[:HEAD_LINES]:
        m = TAG_LINE.match(line)
        if m:
            found.append(re.sub(r"\s*(\*/|-->)\s*$", "", m.group(1) or ""))
    return found


def has_tag(text: str) -> bool:
    return bool(tag_lines(text))


def names_license(text: str) -> bool:
    return LICENSE in tag_lines(text)


def with_tag(text: str, prefix: str) -> str:
    """`text` with the SPDX line inserted after any #! line and Python coding line."""
    lines = text.splitlines(keepends=True)
    at = 0
    if lines and lines[0].startswith("#!"):
        at = 1
    if len(lines) > at and re.match(r"^#.*coding[:=]", lines[at]):
        at += 1
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if at and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += newline
    lines.insert(at, f"{prefix}{TAG} {LICENSE}{newline}")
    return "".join(lines)


def scan(root: Path):
    """[(relative path, comment prefix, problem)] for every file that needs the line."""
    problems = []
    for rel in candidate_files(root):
        if excluded(rel):
            continue
        path = root / rel
        data = path.read_bytes()
        prefix = comment_prefix(path, data[:2])
        if prefix is None:
            continue
        text = data.decode("utf-8", errors="replace")
        if not has_tag(text):
            problems.append((rel, prefix, "missing"))
        elif not names_license(text):
            problems.append((rel, prefix, f"names another licence than {LICENSE}"))
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fix", action="store_true", help="add the line where it is missing")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the source tree (default: the one this script is in)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    problems = scan(root)
    if args.fix:
        fixed = 0
        for rel, prefix, problem in problems:
            if problem != "missing":
                continue
            path = root / rel
            path.write_text(with_tag(path.read_text(encoding="utf-8"), prefix), encoding="utf-8")
            fixed += 1
        print(f"spdx_headers: added the line to {fixed} file(s)")
        problems = [p for p in scan(root)]
    for rel, _, problem in problems:
        print(f"{rel}: SPDX-License-Identifier line {problem}")
    if problems:
        print(f"spdx_headers: {len(problems)} file(s) without "
              f"'{TAG} {LICENSE}' (scripts/spdx_headers.py --fix adds it)")
        return 1
    if not args.fix:
        print(f"spdx_headers: every project source, script and CMake file names {LICENSE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
