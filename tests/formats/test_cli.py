#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Black-box tests of `weightsmith-cli` against its contract (see the project brief): options and
exit codes, failure messages that name the file, the --json document, --stats against numpy,
and --tensor/--npy round trips against numpy for safetensors files this test writes itself from
the published format (8-byte little-endian header length, JSON header, raw data)."""
import json
import os
import pickle
import pickletools
import re
import struct
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

import numpy as np
import unittest_main  # noqa: E402

CLI = os.environ.get("WS_CLI", "")
FIXTURES = os.environ.get("WS_FIXTURES", "")

CONTRACT_DTYPES = {"f32", "f16", "bf16", "f64", "i8", "i16", "i32", "i64", "u8", "bool"}
DTYPE_SIZES = {"f16": 2, "bf16": 2, "f32": 4, "f64": 8, "i8": 1, "i16": 2, "i32": 4, "i64": 8,
               "u8": 1, "bool": 1}
ST_NAMES = {"F16": "f16", "BF16": "bf16", "F32": "f32", "F64": "f64", "I8": "i8", "I16": "i16",
            "I32": "i32", "I64": "i64", "U8": "u8", "BOOL": "bool"}


def run(*args, timeout=60):
    return subprocess.run([CLI] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def bf16_bits(a):
    return (np.asarray(a, dtype="<f4").view("<u4") >> 16).astype("<u2")


def write_safetensors(path, tensors, metadata=None):
    """tensors: [(name, ST dtype, array)]; BF16 arrays are given as uint16 bit patterns."""
    header, blobs, offset = {}, [], 0
    for name, dtype, arr in tensors:
        data = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def expected_array(dtype, arr):
    """What numpy should load from the CLI's .npy: bf16 widened to float32."""
    if dtype == "BF16":
        return (arr.astype("<u4") << 16).view("<f4")
    return arr


def walk(node):
    yield node
    for child in node.get("children", []):
        yield from walk(child)


class CliTestBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not CLI or not os.path.isfile(CLI):
            raise unittest.SkipTest("SKIP: WS_CLI is not set or missing (%r)" % CLI)
        cls.tmp = tempfile.TemporaryDirectory(prefix="ws_cli_test_")
        cls.dir = cls.tmp.name
        rng = np.random.default_rng(2024)
        f32 = rng.standard_normal((8, 5)).astype("<f4")
        f32[1, 1], f32[2, 2], f32[3, 3], f32[0, 0] = np.nan, np.inf, -np.inf, 0.0
        cls.tensors = [
            ("encoder.layers.0.weight", "F32", f32),
            ("encoder.layers.0.bias", "F16", rng.standard_normal(8).astype("<f2")),
            ("encoder.layers.1.weight", "BF16", bf16_bits(rng.standard_normal((3, 4)))),
            ("head.weight", "F64", rng.standard_normal((2, 3, 2))),
            ("head.steps", "I64", np.array(7, dtype="<i8")),
            ("emb.ids", "I32", rng.integers(-50, 50, size=(4, 2)).astype("<i4")),
            ("emb.small", "I16", np.array([-3, 4], dtype="<i2")),
            ("q.i8", "I8", np.array([-128, 0, 127], dtype="i1")),
            ("q.u8", "U8", np.array([[0, 255]], dtype="u1")),
            ("mask", "BOOL", np.array([True, False, True])),
        ]
        cls.model = os.path.join(cls.dir, "model.safetensors")
        write_safetensors(cls.model, cls.tensors, metadata={"format": "pt", "author": "test"})

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def assert_unreadable(self, path, proc):
        err = proc.stderr.decode(errors="replace")
        self.assertEqual(proc.returncode, 1, "exit %d for %s; stderr: %s" % (proc.returncode, path, err))
        self.assertIn(path, err)
        self.assertTrue(err.startswith("weightsmith-cli: %s: " % path), err)
        self.assertEqual(proc.stdout, b"")

    def inspect_json(self, *args):
        proc = run("inspect", *args, "--json")
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
        return json.loads(proc.stdout.decode("utf-8"))


class TestCommandLine(CliTestBase):
    def test_help_and_version(self):
        for args in (["--help"], ["-h"], ["inspect", "--help"]):
            proc = run(*args)
            self.assertEqual(proc.returncode, 0, args)
            self.assertIn(b"inspect", proc.stdout)
            self.assertIn(b"--json", proc.stdout)
        proc = run("--version")
        self.assertEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout.decode(), r"^weightsmith-cli \d+\.\d+\.\d+\n$")

    def test_version_verbose(self):
        # The licences come from packaging/licenses.json, the one list the copyright file and
        # the About dialog are made from too.
        licenses = json.loads((Path(__file__).resolve().parents[2] / "packaging/licenses.json").read_text())
        version = run("--version").stdout.decode().split()[1]
        for args in (["--version", "--verbose"], ["--verbose", "--version"], ["-V", "--verbose"]):
            proc = run(*args)
            self.assertEqual(proc.returncode, 0, args)
            out = proc.stdout.decode()
            self.assertTrue(out.startswith("weightsmith-cli %s (released " % version), out[:80])
            self.assertIn("License %s" % licenses["project"]["license"], out)
            for lib in licenses["libraries"]:
                self.assertRegex(out, r"(?m)^  %s +%s " % (re.escape(lib["name"]), re.escape(lib["license"])))
            for fmt in ("Keras HDF5", "Keras archive", "PyTorch", "safetensors"):
                self.assertRegex(out, r"(?m)^  %s " % fmt)
            self.assertRegex(out, r"(?m)^  HDF5 \d+\.\d+\.\d+$")
        for args in (["--verbose"], ["--version", "--bogus"], ["--version", "inspect"]):
            proc = run(*args)
            self.assertEqual(proc.returncode, 2, args)
            self.assertEqual(proc.stdout, b"", args)

    def test_usage_errors_exit_2(self):
        cases = [[], ["frobnicate"], ["inspect"], ["inspect", self.model, "--bogus"],
                 ["inspect", self.model, "--npy", self.path("x.npy")],
                 ["inspect", self.model, "--tensor"], ["inspect", self.model, self.model],
                 ["inspect", "--json"]]
        for args in cases:
            proc = run(*args)
            self.assertEqual(proc.returncode, 2, "%r -> %d" % (args, proc.returncode))
            self.assertNotEqual(proc.stderr, b"", args)
            self.assertEqual(proc.stdout, b"", args)
        self.assertFalse(os.path.exists(self.path("x.npy")))

    def test_unreadable_inputs_exit_1_naming_the_file(self):
        missing = self.path("does-not-exist.pth")
        empty = self.path("empty.h5")
        open(empty, "wb").close()
        noise = self.path("noise.pt")
        with open(noise, "wb") as f:
            f.write(np.random.default_rng(5).integers(0, 256, 8192, dtype=np.uint8).tobytes())
        truncated = self.path("truncated.safetensors")
        with open(self.model, "rb") as f:
            data = f.read()
        with open(truncated, "wb") as f:
            f.write(data[:len(data) - 30])
        bad_dtype = self.path("bad_dtype.safetensors")
        write_safetensors(bad_dtype, [("w", "F32", np.ones(2, dtype="<f4"))])
        with open(bad_dtype, "r+b") as f:
            raw = f.read().replace(b'"F32"', b'"U32"')
            f.seek(0)
            f.write(raw)
        for path in (missing, self.dir, empty, noise, truncated, bad_dtype):
            for extra in ([], ["--json"], ["--stats"]):
                self.assert_unreadable(path, run("inspect", path, *extra))
        self.assertIn(b"U32", run("inspect", bad_dtype).stderr)

    def test_unknown_tensor_path_names_it_and_suggests(self):
        proc = run("inspect", self.model, "--tensor", "encoder.layers.0.wieght")
        self.assert_unreadable(self.model, proc)
        err = proc.stderr.decode()
        self.assertIn("encoder.layers.0.wieght", err)
        self.assertIn("'encoder.layers.0.weight'", err)  # the close match is suggested
        out = self.path("never.npy")
        proc = run("inspect", self.model, "--tensor", "nope/nothing", "--npy", out)
        self.assert_unreadable(self.model, proc)
        self.assertIn("nope/nothing", proc.stderr.decode())
        self.assertFalse(os.path.exists(out))

    def test_npy_of_a_layer_is_an_error(self):
        out = self.path("layer.npy")
        proc = run("inspect", self.model, "--tensor", "encoder.layers", "--npy", out)
        self.assert_unreadable(self.model, proc)
        self.assertIn("not a tensor", proc.stderr.decode())
        self.assertFalse(os.path.exists(out))


class TestReports(CliTestBase):
    def test_json_document_has_the_contract_keys_and_values(self):
        doc = self.inspect_json(self.model)
        self.assertEqual(doc["file"], self.model)
        self.assertEqual(doc["format"], "safetensors")
        self.assertIsInstance(doc["format_detail"], str)
        self.assertEqual(doc["warnings"], [])
        self.assertEqual(doc["pickle"], {"placeholder_classes": [], "dangerous_globals": []})
        self.assertEqual(doc["tree"]["name"], "")
        self.assertEqual(doc["tree"]["kind"], "group")

        nodes = {n["path"]: n for n in walk(doc["tree"]) if "path" in n}
        for name, dtype, arr in self.tensors:
            node = nodes[name]
            self.assertEqual(node["kind"], "tensor")
            self.assertEqual(node["name"], name.split(".")[-1])
            self.assertEqual(node["shape"], list(arr.shape), name)
            self.assertEqual(node["dtype"], ST_NAMES[dtype], name)
            self.assertEqual(node["numel"], int(arr.size), name)
            self.assertEqual(node["bytes"], arr.nbytes, name)
            self.assertNotIn("stats", node)
        self.assertEqual(nodes["encoder.layers.0"]["kind"], "layer")
        self.assertEqual(nodes["__metadata__/format"]["kind"], "value")
        self.assertEqual(nodes["__metadata__/format"]["value"], "pt")
        self.assertEqual(nodes["__metadata__/format"]["value_type"], "str")
        self.assertEqual(doc["totals"], {"tensors": len(self.tensors),
                                         "parameters": sum(int(a.size) for _, _, a in self.tensors),
                                         "bytes": sum(a.nbytes for _, _, a in self.tensors)})

    def test_stats_match_numpy(self):
        doc = self.inspect_json(self.model, "--stats")
        nodes = {n["path"]: n for n in walk(doc["tree"]) if n.get("kind") == "tensor"}
        for name, dtype, arr in self.tensors:
            v = expected_array(dtype, arr).astype(np.float64).ravel()
            finite = v[np.isfinite(v)]
            s = nodes[name]["stats"]
            self.assertEqual(set(s), {"min", "max", "mean", "std", "zeros", "nan", "inf"})
            self.assertEqual(s["nan"], int(np.isnan(v).sum()), name)
            self.assertEqual(s["inf"], int(np.isinf(v).sum()), name)
            self.assertEqual(s["zeros"], int((finite == 0).sum()), name)
            for key, want in (("min", finite.min()), ("max", finite.max()),
                              ("mean", finite.mean()), ("std", finite.std())):
                self.assertAlmostEqual(s[key], float(want), delta=1e-9 * max(1, abs(want)),
                                       msg="%s %s" % (name, key))

    def test_npy_round_trip_for_every_dtype(self):
        for name, dtype, arr in self.tensors:
            out = self.path(name + ".npy")
            proc = run("inspect", self.model, "--tensor", name, "--npy", out)
            self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
            got = np.load(out, allow_pickle=False)
            want = expected_array(dtype, arr)
            self.assertEqual(got.dtype, want.dtype, name)
            self.assertEqual(got.shape, want.shape, name)
            self.assertEqual(got.tobytes(), np.ascontiguousarray(want).tobytes(), name)
            if dtype == "BF16":
                self.assertIn(b"float32", proc.stderr)  # the widening note
            else:
                self.assertEqual(proc.stderr, b"", name)

    def test_tensor_selects_one_subtree(self):
        doc = self.inspect_json(self.model, "--tensor", "head")
        children = doc["tree"]["children"]
        self.assertEqual([c["path"] for c in children], ["head"])
        self.assertEqual(sorted(c["path"] for c in children[0]["children"]),
                         ["head.steps", "head.weight"])
        self.assertEqual(doc["totals"]["tensors"], 2)
        text = run("inspect", self.model, "--tensor", "head.weight").stdout.decode()
        self.assertIn("(2, 3, 2)", text)
        self.assertNotIn("encoder", text)

    def test_text_tree_lists_every_node_aligned_with_totals(self):
        proc = run("inspect", self.model)
        self.assertEqual(proc.returncode, 0)
        lines = proc.stdout.decode().splitlines()
        header = next(i for i, l in enumerate(lines) if l.startswith("NAME"))
        rows = lines[header + 1:lines.index("", header)]
        for name, dtype, arr in self.tensors:
            leaf = name.split(".")[-1]
            match = [r for r in rows if r.split()[0] == leaf and ST_NAMES[dtype] in r.split()]
            self.assertTrue(match, "no row for %s" % name)
            self.assertIn(re.sub(r"\((\d+)\)", r"(\1,)", str(tuple(arr.shape))), match[0])
        # Columns line up: every tensor row has its dtype at the DTYPE column of the header.
        dtype_col = lines[header].index("DTYPE")
        for r in rows:
            if " tensor " in r:
                self.assertIn(r[dtype_col:].split()[0], CONTRACT_DTYPES, r)
        total = [l for l in lines if l.startswith("totals:")]
        params = sum(int(a.size) for _, _, a in self.tensors)
        self.assertEqual(len(total), 1)
        self.assertIn("%d tensors" % len(self.tensors), total[0])
        self.assertIn("{:,} parameters".format(params), total[0])

    def test_many_tensors_are_all_listed(self):
        # 3000 tensors in 300 layers: nothing dropped or merged by the grouping of dotted names.
        path = self.path("many.safetensors")
        tensors = [("block%d.layer%d.weight" % (i // 10, i % 10), "F32", np.zeros((4, 4), "<f4"))
                   for i in range(3000)]
        write_safetensors(path, tensors)
        doc = self.inspect_json(path)
        self.assertEqual(doc["totals"]["tensors"], 3000)
        self.assertEqual(len([n for n in walk(doc["tree"]) if n.get("kind") == "tensor"]), 3000)
        self.assertEqual(run("inspect", path).returncode, 0)


class TestPickleReport(CliTestBase):
    def write_torch_zip(self, path, payload):
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("archive/data.pkl", payload)
            z.writestr("archive/version", b"3\n")

    def test_dangerous_global_is_reported_not_executed(self):
        marker = self.path("pwned")

        class Evil:
            def __reduce__(self):
                return (os.system, ("touch " + marker,))

        path = self.path("evil.pt")
        self.write_torch_zip(path, pickle.dumps({"w": Evil()}, protocol=2))
        for args in ([], ["--json"]):
            proc = run("inspect", path, *args)
            self.assertIn(proc.returncode, (0, 1), proc.stderr)
            self.assertFalse(os.path.exists(marker), "the pickle was executed")
            text = (proc.stdout + proc.stderr).decode(errors="replace")
            self.assertIn("system", text)
            if proc.returncode == 0 and not args:
                self.assertRegex(text, r"WARNING: refused dangerous globals: [^\n]*system")
            if proc.returncode == 0 and args:
                dangerous = json.loads(proc.stdout)["pickle"]["dangerous_globals"]
                self.assertTrue(any("system" in g for g in dangerous), dangerous)

    def test_placeholder_classes_of_a_pickled_module(self):
        path = os.path.join(FIXTURES, "pytorch", "mlp_full_model_pickle.pth")
        if not os.path.isfile(path):
            self.skipTest("SKIP: fixture %s is absent" % path)
        # The oracle: every class the pickle references (GLOBAL / STACK_GLOBAL operands).
        with zipfile.ZipFile(path) as z:
            pkl = z.read(next(n for n in z.namelist() if n.endswith("/data.pkl")))
        referenced, strings = set(), []
        for op, arg, _ in pickletools.genops(pkl):
            if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
                strings.append(arg)
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                referenced.add("%s.%s" % (strings[-2], strings[-1]))
            elif op.name == "GLOBAL":
                referenced.add(arg.replace(" ", "."))
        doc = self.inspect_json(path)
        placeholders = doc["pickle"]["placeholder_classes"]
        self.assertIn("__main__.SimpleNN", placeholders)
        self.assertTrue(set(placeholders) <= referenced, set(placeholders) - referenced)
        self.assertEqual(placeholders, sorted(set(placeholders)))
        text = run("inspect", path).stdout.decode()
        self.assertIn("placeholder classes: " + ", ".join(placeholders), text)


class TestFixtures(CliTestBase):
    def test_every_fixture_gives_a_contract_document(self):
        if not FIXTURES or not os.path.isdir(FIXTURES):
            self.skipTest("SKIP: WS_FIXTURES is absent (%r)" % FIXTURES)
        files = []
        for sub in ("pytorch", "keras"):
            d = os.path.join(FIXTURES, sub)
            if os.path.isdir(d):
                files += [os.path.join(d, f) for f in sorted(os.listdir(d))
                          if not f.endswith(".json")]
        self.assertTrue(files)
        for path in files:
            with self.subTest(path=os.path.basename(path)):
                doc = self.inspect_json(path)
                self.assertEqual(set(doc), {"file", "format", "format_detail", "warnings",
                                            "pickle", "totals", "tree"})
                count = params = nbytes = 0
                paths = set()
                for node in walk(doc["tree"]):
                    if node is doc["tree"]:
                        continue
                    self.assertIn(node["kind"], {"group", "layer", "tensor", "value"})
                    self.assertNotIn(node["path"], paths)
                    paths.add(node["path"])
                    if node["kind"] == "tensor":
                        self.assertIn(node["dtype"], CONTRACT_DTYPES)
                        self.assertEqual(node["numel"], int(np.prod(node["shape"], dtype=np.int64)))
                        self.assertEqual(node["bytes"], node["numel"] * DTYPE_SIZES[node["dtype"]])
                        count, params, nbytes = count + 1, params + node["numel"], nbytes + node["bytes"]
                    if node["kind"] == "value":
                        self.assertIsInstance(node["value"], str)
                        self.assertIsInstance(node["value_type"], str)
                self.assertEqual(doc["totals"], {"tensors": count, "parameters": params, "bytes": nbytes})
                text = run("inspect", path)
                self.assertEqual(text.returncode, 0)
                self.assertIn(b"totals: ", text.stdout)


if __name__ == "__main__":
    unittest_main.main()
