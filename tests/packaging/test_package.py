# SPDX-License-Identifier: GPL-3.0-or-later
"""The Debian packages made by `cpack -G DEB` (cmake/packaging.cmake).

Builds the packages from the build directory, then checks:
- control data (dpkg-deb --field): names, version, architecture, the libraries in Depends,
  libtorch only in weightsmith-verify, no build paths;
- contents (dpkg-deb --contents / -x): programs, module, desktop file, MIME types, icon,
  metainfo, man pages, examples; nothing from the build tree; no RPATH; no build paths inside
  any file;
- the man page documents every command and option `weightsmith-cli ... --help` prints;
- one version everywhere: project(VERSION) = the newest release of CHANGELOG.md = the metainfo's
  newest <release> = the man pages' .TH = --version; the metainfo names the project licence;
- the copyright file (DEP-5) names every licence of packaging/licenses.json, and so does
  `weightsmith-cli --version --verbose`; changelog.gz is CHANGELOG.md, changelog.Debian.gz parses;
- lintian (SKIP when not installed): no errors, and no warning but the ones listed in
  LINTIAN_ACCEPTED with the reason;
- appstreamcli validate-tree and desktop-file-validate (SKIP when not installed);
- the MIME rules, in a private MIME database, on real files (gio; SKIP when not installed);
- as root: apt-get installs the packages, the installed programs run (inspect, convert, verify
  with the module from /usr/lib/weightsmith, the GUI's --version offscreen), man finds the page,
  the MIME types are registered; then the packages are removed again.

Environment (tests/packaging/CMakeLists.txt): WS_CPACK, WS_BUILD_DIR, WS_SOURCE_DIR, WS_VERSION,
WS_CLI, WS_GUI_BUILT, WS_TORCH_MODULE_BUILT, WS_FIXTURES.
"""

import fcntl
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "formats"))
import unittest_main  # noqa: E402

CPACK = os.environ.get("WS_CPACK", "cpack")
BUILD_DIR = Path(os.environ["WS_BUILD_DIR"])
SOURCE_DIR = Path(os.environ["WS_SOURCE_DIR"])
VERSION = os.environ["WS_VERSION"]
BUILD_CLI = os.environ["WS_CLI"]
GUI_BUILT = os.environ.get("WS_GUI_BUILT") == "1"
MODULE_BUILT = os.environ.get("WS_TORCH_MODULE_BUILT") == "1"
FIXTURES = Path(os.environ.get("WS_FIXTURES", "/nonexistent"))

APP_ID = "io.github.weightsmith.Weightsmith"
MAIN = "weightsmith"
VERIFY = "weightsmith-verify"
EXAMPLE = "seed_lstm_state_dict.pth"
LICENSES = json.loads((SOURCE_DIR / "packaging/licenses.json").read_text())
DOCS = ["copyright", "changelog.gz", "changelog.Debian.gz"]  # in each package's doc folder
# The lintian warnings these packages may have, each with why it is accepted. Anything else
# (and any error) fails the test.
LINTIAN_ACCEPTED = {
    # The first entry of the Debian changelog closes no ITP bug: these packages are built by
    # cpack from the upstream tree, not uploaded to Debian, so there is no bug to close.
    "initial-upload-closes-no-bugs":
        "not a Debian upload: no ITP bug to close",
    # CPack writes postinst/postrm calling ldconfig for every package with a shared object
    # under /usr/lib (CPackDeb.cmake, not configurable short of shipping our own scripts). The
    # module in /usr/lib/weightsmith/ is dlopen'ed by path and outside ldconfig's directories,
    # so the call is useless but harmless; a trigger would be as pointless.
    "maintscript-calls-ldconfig":
        "CPack's own postinst/postrm for the module under /usr/lib; harmless",
}
# Installing touches the whole system: one test run at a time, across build directories too.
INSTALL_LOCK = "/tmp/weightsmith-package-test.lock"


def run(cmd, check=True, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 240)
    r = subprocess.run(cmd, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} -> {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def control(deb):
    """The control fields of a .deb as a dict (continuation lines joined)."""
    text = run(["dpkg-deb", "--field", str(deb)]).stdout
    fields, key = {}, None
    for line in text.splitlines():
        if line.startswith((" ", "\t")) and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields, text


def depends_names(field):
    """Package names in a Depends-style field: 'a (>= 1), b | c' -> {'a', 'b', 'c'}."""
    names = set()
    for alternative in re.split(r"[,|]", field or ""):
        name = alternative.strip().split(" ")[0].split(":")[0]
        if name:
            names.add(name)
    return names


def contents(deb):
    """(owner, path) of every entry of the data archive, paths as './usr/...'."""
    out = []
    for line in run(["dpkg-deb", "--contents", str(deb)]).stdout.splitlines():
        parts = line.split()
        # drwxr-xr-x root/root 0 2026-11-29 23:00 ./usr/ [-> target]
        out.append((parts[1], parts[5]))
    return out


def cli_commands_and_options(cli):
    """{command: {options}} from `cli --help` and `cli <command> --help`; '' = the top level."""
    option = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])\b")
    top = run([cli, "--help"]).stdout
    commands = re.findall(r"^  ([a-z]+) ", top.split("commands:", 1)[1], re.MULTILINE)
    found = {"": set(option.findall(top.split("commands:", 1)[1].split("\n\n", 1)[1]))}
    for command in commands:
        found[command] = set(option.findall(run([cli, command, "--help"]).stdout))
    return found


def man_sections(roff):
    """The man page's text per `.SS command` subsection, '' for the rest, with roff's
    escaped hyphens made plain."""
    plain = roff.replace("\\-", "-")
    sections = {"": ""}
    current = ""
    for line in plain.splitlines():
        m = re.match(r"\.SS (\S+)", line)
        if m:
            current = m.group(1)
            sections[current] = ""
        elif line.startswith(".SH"):
            current = ""
        sections[current] = sections.get(current, "") + line + "\n"
    return sections


def content_type(path, data_home):
    """The MIME type GIO's shared-mime-info lookup gives `path`, with our types in `data_home`
    (or only the system's)."""
    env = dict(os.environ, XDG_DATA_HOME=str(data_home), XDG_DATA_DIRS="/usr/share")
    out = run(["gio", "info", "-a", "standard::content-type", str(path)], env=env).stdout
    return re.search(r"standard::content-type: (\S+)", out).group(1)


def apt_get(*args):
    return run(["apt-get", *args, "-y", "-q", "-o", "DPkg::Lock::Timeout=120"],
               env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def installed_packages():
    """Which of our packages dpkg has installed."""
    return [p for p in (MAIN, VERIFY)
            if "install ok installed" in run(["dpkg-query", "-W", "-f=${Status}", p], check=False).stdout]


def skip(why):
    """This check cannot run here: the test counts as skipped (exit 77), which fails the run."""
    raise unittest.SkipTest(why)


def deb822(text):
    """The paragraphs of a deb822 file (DEP-5 copyright, control) as dicts, continuation lines
    joined with newlines."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        fields, key = {}, None
        for line in block.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += "\n" + line[1:]
            else:
                key, value = line.split(":", 1)
                fields[key] = value.strip()
        paragraphs.append(fields)
    return paragraphs


def changelog_releases(markdown):
    """[(version, date)] of CHANGELOG.md's released sections, newest first."""
    return re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d\d-\d\d)$", markdown, re.MULTILINE)


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="ws-package-"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, ignore_errors=True)  # even if cpack fails
        run([CPACK, "-G", "DEB", "--config", str(BUILD_DIR / "CPackConfig.cmake"), "-B", str(cls.tmp)])
        cls.arch = run(["dpkg", "--print-architecture"]).stdout.strip()
        cls.debs = {p.name.split("_")[0]: p for p in cls.tmp.glob("*.deb")}
        cls.trees = {}
        for name, deb in cls.debs.items():
            tree = cls.tmp / f"tree-{name}"
            run(["dpkg-deb", "-x", str(deb), str(tree)])
            cls.trees[name] = tree

    # --- what cpack made ----------------------------------------------------------------

    def test_package_files(self):
        expected = {MAIN, VERIFY} if MODULE_BUILT else {MAIN}
        self.assertEqual(set(self.debs), expected)
        for name, deb in self.debs.items():
            self.assertEqual(deb.name, f"{name}_{VERSION}-1_{self.arch}.deb")

    def test_main_control(self):
        fields, text = control(self.debs[MAIN])
        self.assertEqual(fields["Package"], MAIN)
        self.assertEqual(fields["Version"], f"{VERSION}-1")
        self.assertEqual(fields["Architecture"], self.arch)
        self.assertEqual(fields["Section"], "science")
        self.assertRegex(fields["Maintainer"], r".+ <[^@ ]+@[^@ ]+>")
        self.assertTrue(fields["Description"].splitlines()[0].strip())
        self.assertGreater(len(fields["Description"].splitlines()), 3, "no long description")
        needs = depends_names(fields["Depends"])
        # What dpkg-shlibdeps found in the NEEDED entries of the two programs.
        for prefix in ["libc6", "libstdc++6", "libhdf5-", "zlib1g"]:
            self.assertTrue(any(n.startswith(prefix) for n in needs), f"{prefix} missing: {needs}")
        if GUI_BUILT:
            for prefix in ["libqt6core6", "libqt6gui6", "libqt6widgets6", "libqcustomplot"]:
                self.assertTrue(any(n.startswith(prefix) for n in needs), f"{prefix} missing: {needs}")
        # The programs must install and start without libtorch.
        self.assertFalse([n for n in needs if "torch" in n or n.startswith("libc10")], needs)
        if MODULE_BUILT:
            self.assertEqual(fields.get("Recommends"), f"{VERIFY} (= {VERSION}-1)")
        self.assertNotIn(str(BUILD_DIR), text)
        self.assertNotIn(str(SOURCE_DIR), text)

    def test_module_control(self):
        if not MODULE_BUILT:
            return skip("the libtorch module is not built (WS_BUILD_TORCH_MODULE=OFF)")
        fields, text = control(self.debs[VERIFY])
        self.assertEqual(fields["Package"], VERIFY)
        self.assertEqual(fields["Version"], f"{VERSION}-1")
        self.assertEqual(fields["Architecture"], self.arch)
        self.assertIn(f"{MAIN} (= {VERSION}-1)", fields["Depends"])
        needs = depends_names(fields["Depends"])
        self.assertTrue(any(n.startswith("libtorch") for n in needs), f"no libtorch in {needs}")
        self.assertNotIn(str(BUILD_DIR), text)

    def test_main_contents(self):
        entries = contents(self.debs[MAIN])
        paths = {p for _, p in entries}
        required = [
            "./usr/bin/weightsmith-cli",
            "./usr/share/man/man1/weightsmith-cli.1.gz",
            f"./usr/share/weightsmith/examples/{EXAMPLE}",
            "./usr/share/doc/weightsmith/README.md",
        ] + [f"./usr/share/doc/weightsmith/{doc}" for doc in DOCS]
        if GUI_BUILT:
            required += [
                "./usr/bin/weightsmith",
                "./usr/share/man/man1/weightsmith.1.gz",
                f"./usr/share/applications/{APP_ID}.desktop",
                f"./usr/share/metainfo/{APP_ID}.metainfo.xml",
                "./usr/share/mime/packages/weightsmith.xml",
                "./usr/share/icons/hicolor/scalable/apps/weightsmith.svg",
                "./usr/share/icons/hicolor/256x256/apps/weightsmith.png",
            ]
        for path in required:
            self.assertIn(path, paths)
        self.assertFalse([p for p in paths if "libweightsmith_torch" in p], "module belongs to weightsmith-verify")
        self.check_clean_entries(entries)

    def test_module_contents(self):
        if not MODULE_BUILT:
            return skip("the libtorch module is not built")
        entries = contents(self.debs[VERIFY])
        paths = {p for _, p in entries}
        self.assertIn("./usr/lib/weightsmith/libweightsmith_torch.so", paths)
        for doc in DOCS:
            self.assertIn(f"./usr/share/doc/{VERIFY}/{doc}", paths)
        self.check_clean_entries(entries)

    def check_clean_entries(self, entries):
        for owner, path in entries:
            self.assertEqual(owner, "root/root", path)
            self.assertTrue(path.startswith("./usr/"), path)
            name = path.rstrip("/").rsplit("/", 1)[-1]
            self.assertNotRegex(name, r"^(ws_unit_tests|ui_test_|fuzz_|ws_.*bench)", path)
            self.assertNotRegex(path, r"CMakeFiles|_CPack_Packages|\.o$|\.a$|/include/|Testing/", path)

    def test_installed_files_hold_no_build_paths(self):
        for name, tree in self.trees.items():
            for f in (p for p in tree.rglob("*") if p.is_file()):
                data = f.read_bytes()
                for where in (BUILD_DIR, SOURCE_DIR):
                    self.assertNotIn(str(where).encode(), data, f"{f.relative_to(tree)} names {where}")

    def test_elf_files_have_no_rpath(self):
        elves = [p for tree in self.trees.values() for p in tree.rglob("*")
                 if p.is_file() and p.read_bytes()[:4] == b"\x7fELF"]
        self.assertGreaterEqual(len(elves), 1 + GUI_BUILT + MODULE_BUILT)
        for elf in elves:
            dynamic = run(["readelf", "-d", str(elf)]).stdout
            self.assertNotRegex(dynamic, r"\((RPATH|RUNPATH)\)", elf.name)
            if elf.name.startswith("weightsmith"):  # the programs: libtorch only via dlopen
                self.assertNotRegex(dynamic, r"NEEDED.*(torch|c10)", elf.name)

    # --- version, licences, changelogs ------------------------------------------------

    def test_one_version_everywhere(self):
        changelog = (SOURCE_DIR / "CHANGELOG.md").read_text()
        releases = changelog_releases(changelog)
        self.assertTrue(releases, "no released section in CHANGELOG.md")
        self.assertEqual(releases[0][0], VERSION, "CHANGELOG.md's newest release is not project(VERSION)")
        self.assertEqual(run([BUILD_CLI, "--version"]).stdout, f"weightsmith-cli {VERSION}\n")
        pages = ["weightsmith-cli"] + (["weightsmith"] if GUI_BUILT else [])
        for page in pages:
            roff = gzip.decompress(
                (self.trees[MAIN] / f"usr/share/man/man1/{page}.1.gz").read_bytes()).decode()
            self.assertRegex(roff, rf'\.TH {page.upper()} 1 "{releases[0][1]}" "Weightsmith {re.escape(VERSION)}"')
            self.assertIn(LICENSES["project"]["license"], roff)
        if GUI_BUILT:
            xml = (self.trees[MAIN] / f"usr/share/metainfo/{APP_ID}.metainfo.xml").read_text()
            self.assertEqual(re.findall(r'<release version="([^"]+)" date="([^"]+)"', xml), releases)
            self.assertIn(f"<project_license>{LICENSES['project']['license']}</project_license>", xml)
            self.assertIn("<metadata_license>CC0-1.0</metadata_license>", xml)

    def test_copyright_file(self):
        for name, tree in self.trees.items():
            text = (tree / f"usr/share/doc/{name}/copyright").read_text()
            header, *paragraphs = deb822(text)
            self.assertEqual(header["Format"],
                             "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
            self.assertEqual(header["Upstream-Name"], "Weightsmith")
            self.assertEqual(header["License"], LICENSES["project"]["license"])
            for lib in LICENSES["libraries"]:
                self.assertIn(f"{lib['name']}: {lib['license']}", header["Comment"], name)
            files = [p for p in paragraphs if "Files" in p]
            texts = {p["License"].split("\n", 1)[0]: p["License"] for p in paragraphs if "Files" not in p}
            self.assertEqual(files[0]["Files"], "*")
            for f in files:
                self.assertIn("Copyright", f)
                self.assertIn(f["License"], texts, f"no License paragraph for {f['License']}")
            for lib in LICENSES["libraries"]:
                if lib.get("compiled_in"):
                    self.assertIn(lib["license"], texts, f"{lib['name']} is compiled in: its licence text")
            self.assertIn("/usr/share/common-licenses/GPL-3", texts["GPL-3.0-or-later"])
            # the same file in both packages
            self.assertEqual(text, (self.trees[MAIN] / "usr/share/doc/weightsmith/copyright").read_text())

    def test_changelogs(self):
        for name, tree in self.trees.items():
            doc = tree / f"usr/share/doc/{name}"
            self.assertEqual(gzip.decompress((doc / "changelog.gz").read_bytes()),
                             (SOURCE_DIR / "CHANGELOG.md").read_bytes())
            debian = gzip.decompress((doc / "changelog.Debian.gz").read_bytes()).decode()
            self.assertTrue(debian.startswith(f"weightsmith ({VERSION}-1) "), debian[:80])
            if shutil.which("dpkg-parsechangelog"):
                plain = self.tmp / f"changelog-{name}"
                plain.write_text(debian)
                fields = deb822(run(["dpkg-parsechangelog", "-l", str(plain)]).stdout)[0]
                self.assertEqual(fields["Version"], f"{VERSION}-1")
            # One entry per release of CHANGELOG.md, newest first.
            entries = re.findall(r"^weightsmith \(([^)]+)\) unstable; urgency=medium$", debian, re.MULTILINE)
            releases = changelog_releases((SOURCE_DIR / "CHANGELOG.md").read_text())
            self.assertEqual(entries, [f"{version}-1" for version, _ in releases])

    def test_version_verbose_lists_the_licences(self):
        out = run([BUILD_CLI, "--version", "--verbose"]).stdout
        self.assertTrue(out.startswith(f"weightsmith-cli {VERSION} "), out[:80])
        self.assertIn(f"License {LICENSES['project']['license']}", out)
        for lib in LICENSES["libraries"]:
            self.assertRegex(out, rf"(?m)^  {re.escape(lib['name'])} +{re.escape(lib['license'])} ")
        self.assertRegex(out, r"(?m)^  HDF5 \d+\.\d+\.\d+$")
        self.assertEqual(run([BUILD_CLI, "--verbose", "--version"]).stdout, out)

    def test_lintian(self):
        if not shutil.which("lintian"):
            return skip("lintian not installed (Debian package lintian)")
        for name, deb in self.debs.items():
            r = run(["lintian", "--info", "--tag-display-limit", "0", str(deb)], check=False, timeout=600)
            print(f"lintian {deb.name}:\n{r.stdout.strip() or '(nothing)'}")
            tags = re.findall(r"^([EWIPXO]): \S+: (\S+)", r.stdout, re.MULTILINE)
            self.assertEqual([t for level, t in tags if level == "E"], [], r.stdout)
            unexpected = sorted({t for level, t in tags if level == "W" and t not in LINTIAN_ACCEPTED})
            self.assertEqual(unexpected, [], "lintian warnings not in LINTIAN_ACCEPTED:\n" + r.stdout)
            self.assertIn(r.returncode, (0, 1), r.stderr)

    # --- documentation and desktop metadata ------------------------------------------

    def test_man_page_documents_every_command_and_option(self):
        roff = gzip.decompress(
            (self.trees[MAIN] / "usr/share/man/man1/weightsmith-cli.1.gz").read_bytes()).decode()
        self.assertRegex(roff, rf'\.TH WEIGHTSMITH-CLI 1 "[^"]+" "Weightsmith {re.escape(VERSION)}"')
        sections = man_sections(roff)
        for command, options in cli_commands_and_options(BUILD_CLI).items():
            if command:
                self.assertIn(command, sections, f"no '.SS {command}' section in the man page")
            text = sections[command] + (sections[""] if not command else "")
            for opt in sorted(options):
                self.assertRegex(text, rf"(?<![\w-]){re.escape(opt)}(?![\w-])",
                                 f"'{command or 'weightsmith-cli'} {opt}' is not in the man page")
        lint = run(["groff", "-man", "-ww", "-z", "-Tutf8"], input=roff, check=False)
        self.assertEqual(lint.stderr, "", "groff warnings")

    def test_metainfo(self):
        if not GUI_BUILT:
            return skip("no desktop application built (WS_BUILD_GUI=OFF)")
        xml = (self.trees[MAIN] / f"usr/share/metainfo/{APP_ID}.metainfo.xml").read_text()
        self.assertIn(f"<id>{APP_ID}</id>", xml)
        self.assertIn(f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>', xml)
        releases = re.findall(r'<release version="([^"]+)"', xml)
        self.assertEqual(releases[0], VERSION, "the newest <release> is not the project version")
        for shot in re.findall(r"/docs/screenshots/([\w.-]+\.png)", xml):
            self.assertTrue((SOURCE_DIR / "docs/screenshots" / shot).is_file(), shot)
        if not shutil.which("appstreamcli"):
            return skip("appstreamcli not installed (Debian package appstream)")
        # validate-tree also checks that the launchable and the icon exist in the tree.
        r = run(["appstreamcli", "validate-tree", "--no-net", "--pedantic", str(self.trees[MAIN])],
                check=False)
        print(r.stdout.strip())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # Only the known pedantic note on the upper-case 'W' of the rDNS id may remain.
        issues = re.findall(r"^\s*([EWIP]): \S+: ([\w-]+)", r.stdout, re.MULTILINE)
        self.assertEqual([i for i in issues if i[1] != "cid-contains-uppercase-letter"], [])

    def test_desktop_file(self):
        if not GUI_BUILT:
            return skip("no desktop application built (WS_BUILD_GUI=OFF)")
        tree = self.trees[MAIN]
        desktop = tree / f"usr/share/applications/{APP_ID}.desktop"
        entry = dict(line.split("=", 1) for line in desktop.read_text().splitlines() if "=" in line)
        self.assertTrue((tree / "usr/bin" / entry["Exec"].split()[0]).is_file())
        self.assertTrue(list(tree.glob(f"usr/share/icons/hicolor/*/apps/{entry['Icon']}.*")))
        # Every MIME type named must exist: ours, or one shared-mime-info defines.
        ours = set(re.findall(r'<mime-type type="([^"]+)"',
                              (tree / "usr/share/mime/packages/weightsmith.xml").read_text()))
        system = Path("/usr/share/mime/packages/freedesktop.org.xml")
        known = ours | (set(re.findall(r'<mime-type type="([^"]+)"', system.read_text()))
                        if system.exists() else set())
        listed = [t for t in entry["MimeType"].split(";") if t]
        self.assertTrue(ours <= set(listed), f"types we define but do not open: {ours - set(listed)}")
        if system.exists():
            self.assertEqual([t for t in listed if t not in known], [], "unknown MIME types")
        if not shutil.which("desktop-file-validate"):
            return skip("desktop-file-validate not installed (Debian package desktop-file-utils)")
        r = run(["desktop-file-validate", str(desktop)], check=False)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))

    def test_mime_rules_on_real_files(self):
        if not GUI_BUILT:
            return skip("no desktop application built (WS_BUILD_GUI=OFF)")
        if not (shutil.which("gio") and shutil.which("update-mime-database")):
            return skip("gio or update-mime-database not installed (libglib2.0-bin, shared-mime-info)")
        data = self.tmp / "xdg-data"
        (data / "mime/packages").mkdir(parents=True)
        shutil.copy(self.trees[MAIN] / "usr/share/mime/packages/weightsmith.xml", data / "mime/packages")
        run(["update-mime-database", str(data / "mime")])
        files = self.tmp / "mime-files"
        files.mkdir()
        example = SOURCE_DIR / "resources/examples" / EXAMPLE
        cases = {  # file name -> (source, expected type); no extension = content alone
            "state_dict.pth": (example, "application/x-pytorch"),
            "state_dict_no_extension": (example, "application/x-pytorch"),
        }
        plain_zip = files / "plain_zip_no_extension"
        with zipfile.ZipFile(plain_zip, "w") as z:
            z.writestr("readme.txt", "not a model")
        cases[plain_zip.name] = (None, "application/zip")
        real = {
            "keras/lstm_functional_keras3.keras": ["application/x-keras", "application/x-keras"],
            "keras/lstm_functional_keras3.weights.h5": ["application/x-keras-weights", "application/x-hdf"],
            "keras/lstm_stacked_timeseries_keras2.h5": ["application/x-hdf", "application/x-hdf"],
            "pytorch/mlp_full_model_pickle_legacy.pt": ["application/x-pytorch", "application/x-pytorch"],
        }
        for rel, (by_name, by_content) in real.items():
            self.assertTrue((FIXTURES / rel).is_file(), f"fixture {rel} missing under {FIXTURES}")
            cases[Path(rel).name] = (FIXTURES / rel, by_name)
            cases[Path(rel).name.split(".")[0] + "_no_extension"] = (FIXTURES / rel, by_content)
        for name, (source, _) in cases.items():
            if source:
                shutil.copy(source, files / name)
        for name, (_, expected) in cases.items():
            self.assertEqual(content_type(files / name, data), expected, name)

    # --- installed on this machine ----------------------------------------------------

    def test_install_run_remove(self):
        if os.geteuid() != 0:
            return skip("not root: the packages are not installed on this machine")
        if not shutil.which("apt-get"):
            return skip("no apt-get")
        with open(INSTALL_LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if installed_packages():
                return skip("weightsmith is already installed here: leaving that installation alone")
            try:
                self.install_and_run()
            finally:
                if installed_packages():
                    apt_get("purge", *installed_packages())
            for left in ["/usr/bin/weightsmith-cli", "/usr/lib/weightsmith", "/usr/share/weightsmith",
                         "/usr/share/mime/application/x-pytorch.xml"]:
                self.assertFalse(Path(left).exists(), f"{left} is left after apt-get purge")

    def install_and_run(self):
        # The installed CLI must find its module by itself, not through an override.
        os.environ.pop("WS_TORCH_MODULE", None)
        # The main package alone first: everything but verify works without the module.
        apt_get("install", "--no-install-recommends", str(self.debs[MAIN]))
        cli = "/usr/bin/weightsmith-cli"
        self.assertEqual(run([cli, "--version"]).stdout.strip(), f"weightsmith-cli {VERSION}")
        self.assertIn("/usr/share/doc/weightsmith/copyright", run([cli, "--version", "--verbose"]).stdout)
        example = f"/usr/share/weightsmith/examples/{EXAMPLE}"
        installed = json.loads(run([cli, "inspect", example, "--json", "--stats"]).stdout)
        built = json.loads(run([BUILD_CLI, "inspect", example, "--json", "--stats"]).stdout)
        self.assertGreater(installed["totals"]["tensors"], 0)
        self.assertEqual(installed, built, "the installed CLI reads the example differently")
        keras = self.tmp / "seed_converted.h5"
        run([cli, "convert", example, "-o", str(keras)])
        verify = [cli, "verify", str(keras), example, "--input-shape", "20,1"]
        if MODULE_BUILT:
            missing = run(verify, check=False)
            self.assertEqual(missing.returncode, 1, missing.stdout + missing.stderr)
            self.assertIn("libweightsmith_torch.so", missing.stderr)
            apt_get("install", str(self.debs[VERIFY]))
            ok = run(verify, check=False)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
            module = re.search(r"libtorch module: (\S+?)\)", ok.stdout)
            self.assertTrue(module, ok.stdout)
            self.assertEqual(os.path.realpath(module.group(1)),
                             "/usr/lib/weightsmith/libweightsmith_torch.so")
        self.assertEqual(run(["man", "-w", "weightsmith-cli"]).stdout.strip(),
                         "/usr/share/man/man1/weightsmith-cli.1.gz")
        if not GUI_BUILT:
            return
        gui = run(["/usr/bin/weightsmith", "--version"],
                  env=dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(self.tmp)))
        self.assertIn(VERSION, gui.stdout)
        # shared-mime-info's trigger compiled our types into the system database.
        self.assertTrue(Path("/usr/share/mime/application/x-pytorch.xml").is_file())
        self.assertIn("*.safetensors", Path("/usr/share/mime/globs2").read_text())
        if shutil.which("gio"):
            copy = self.tmp / "no_extension"
            shutil.copy(example, copy)
            self.assertEqual(content_type(copy, self.tmp / "empty-home"), "application/x-pytorch")


if __name__ == "__main__":
    unittest_main.main()
