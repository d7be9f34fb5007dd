# SPDX-License-Identifier: GPL-3.0-or-later
"""`weightsmith-cli edit` against real torch: saving unchanged writes every record back with the
same bytes (zip: same names, order and 64-byte alignment; legacy and safetensors: the same
file), an edit changes exactly the element asked for, whole pickled modules still load and run,
views of one storage stay views, refused edits fail cleanly with exit status 1.

Run with /usr/bin/python3 (torch 1.13, numpy); WS_CLI, WS_FIXTURES, WS_EXAMPLES from ctest.
"""
import json
import os
import shutil
import struct
import sys
import tempfile
import unittest
import warnings
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_support as ors  # noqa: E402
import unittest_main  # noqa: E402

SKIP = ors.skip_reason()
# torch warns that nn classes changed since the legacy fixture was saved; irrelevant here.
warnings.simplefilter("ignore")


def torch_files():
    files = [os.path.join(ors.FIXTURES, "pytorch", f)
             for f in sorted(os.listdir(os.path.join(ors.FIXTURES, "pytorch")))]
    return files + ors.example_files()


def edit(args):
    proc = ors.run_cli(["edit"] + list(args), timeout=300)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def record_offsets(path):
    """name -> offset of the record's data, from the local headers."""
    out = {}
    with open(path, "rb") as f:
        raw = f.read()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            h = info.header_offset
            name_len, extra_len = struct.unpack("<HH", raw[h + 26:h + 30])
            out[info.filename] = h + 30 + name_len + extra_len
    return out


def check_local_headers(test, path):
    """Every local header agrees with the central directory (zipfile and torch only read the
    central one, so a wrong local CRC or size would pass unnoticed otherwise)."""
    with open(path, "rb") as f:
        raw = f.read()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            h = info.header_offset
            sig, _, flags, method, _, _, crc, csize, usize = struct.unpack(
                "<IHHHHHIII", raw[h:h + 26])
            test.assertEqual(sig, 0x04034B50, info.filename)
            test.assertEqual(method, info.compress_type, info.filename)
            if flags & 0x8:  # sizes and CRC in a data descriptor instead
                continue
            test.assertEqual(crc, info.CRC, info.filename)
            if csize != 0xFFFFFFFF:
                test.assertEqual((csize, usize), (info.compress_size, info.file_size),
                                 info.filename)


# The seed model's class, as scripts/make_seed_example.py defines it (torch.load of the whole
# pickled module looks it up in __main__).
def define_seed_model():
    Model = ors.seed_model_class()
    Model.__module__ = "__main__"
    Model.__qualname__ = "Model"
    sys.modules["__main__"].Model = Model
    return Model


@unittest.skipIf(SKIP, SKIP or "")
class EditSaveTest(unittest.TestCase):
    def setUp(self):
        warnings.simplefilter("ignore")
        self.tmp = tempfile.mkdtemp(prefix="ws_edit_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def out(self, name):
        return os.path.join(self.tmp, name)

    def assert_same_tensors(self, a, b, changed=()):
        ta, tb = ors.torch_tensors(a), ors.torch_tensors(b)
        self.assertEqual(sorted(ta), sorted(tb))
        for k in ta:
            if k in changed:
                continue
            self.assertEqual(ta[k][1], tb[k][1], k)
            self.assertEqual(ta[k][0].shape, tb[k][0].shape, k)
            self.assertEqual(ta[k][0].tobytes(), tb[k][0].tobytes(), "%s differs in %s" % (k, b))
        return ta, tb

    def test_unchanged_save_round_trips_every_torch_file(self):
        for src in torch_files():
            with self.subTest(file=os.path.basename(src)):
                dst = self.out("rt_" + os.path.basename(src))
                rc, _, err = edit([src, "-o", dst])
                self.assertEqual(rc, 0, err)
                if zipfile.is_zipfile(src):
                    with zipfile.ZipFile(src) as za, zipfile.ZipFile(dst) as zb:
                        self.assertIsNone(zb.testzip())
                        self.assertEqual(za.namelist(), zb.namelist())
                        for name in za.namelist():
                            self.assertEqual(za.read(name), zb.read(name), name)
                            self.assertEqual(za.getinfo(name).compress_type,
                                             zb.getinfo(name).compress_type, name)
                    check_local_headers(self, dst)
                    oa, ob = record_offsets(src), record_offsets(dst)
                    for name, off in oa.items():
                        if off % 64 == 0:
                            self.assertEqual(ob[name] % 64, 0, name)
                else:
                    with open(src, "rb") as fa, open(dst, "rb") as fb:
                        self.assertEqual(fa.read(), fb.read(), "legacy file not byte-identical")
                self.assert_same_tensors(src, dst)

    def test_one_element_of_the_seed_state_dict(self):
        import torch
        src = os.path.join(ors.EXAMPLES, "seed_lstm_state_dict.pth")
        dst = self.out("seed_edit.pth")
        rc, out, err = edit([src, "--set", "lstm.weight_hh_l2[17,-3]=0.125", "-o", dst])
        self.assertEqual(rc, 0, err)
        self.assertIn("lstm.weight_hh_l2", out)
        a, b = torch.load(src), torch.load(dst)
        self.assertEqual(list(a), list(b))
        for k in a:
            diff = (a[k] != b[k]).nonzero().tolist()
            if k == "lstm.weight_hh_l2":
                self.assertEqual(diff, [[17, 47]])
                self.assertEqual(b[k][17, 47].item(), 0.125)
            else:
                self.assertEqual(diff, [], k)
        Model = define_seed_model()
        Model().load_state_dict(b, strict=True)
        with zipfile.ZipFile(src) as za, zipfile.ZipFile(dst) as zb:
            changed = [n for n in za.namelist() if za.read(n) != zb.read(n)]
        self.assertEqual(len(changed), 1, changed)
        check_local_headers(self, dst)

    def test_bias_edit_of_the_whole_pickled_seed_model_moves_the_output(self):
        import torch
        Model = define_seed_model()
        src = os.path.join(ors.EXAMPLES, "seed_lstm_model.pth")
        dst = self.out("seed_model_edit.pth")
        rc, _, err = edit([src, "--add", "linear.bias[0]=0.25", "-o", dst])
        self.assertEqual(rc, 0, err)
        a, b = torch.load(src), torch.load(dst)
        self.assertIsInstance(b, Model)
        a.eval()
        b.eval()
        old, new = a.linear.bias.item(), b.linear.bias.item()
        self.assertEqual(new, float(torch.tensor(old + 0.25, dtype=torch.float32)))
        sa, sb = a.state_dict(), b.state_dict()
        for k in sa:
            if k != "linear.bias":
                self.assertTrue(torch.equal(sa[k], sb[k]), k)
        x = torch.sin(torch.arange(0, 60, dtype=torch.float32) * 0.1).reshape(3, 20, 1)
        with torch.no_grad():
            delta = b(x) - a(x)
        self.assertTrue(torch.allclose(delta, torch.full_like(delta, new - old), atol=1e-6),
                        delta)

    def test_views_stay_shared_after_an_edit(self):
        import torch
        for legacy in (False, True):
            with self.subTest(legacy=legacy):
                src = self.out("views_%d.pt" % legacy)
                t = torch.arange(12, dtype=torch.float32).reshape(3, 4)
                torch.save({"a": t, "row": t[1], "tt": t.t()}, src,
                           _use_new_zipfile_serialization=not legacy)
                dst = self.out("views_edit_%d.pt" % legacy)
                rc, _, err = edit([src, "--set", "row[2]=-7", "-o", dst])
                self.assertEqual(rc, 0, err)
                d = torch.load(dst)
                self.assertEqual(d["a"][1, 2].item(), -7)
                self.assertEqual(d["tt"][2, 1].item(), -7)
                self.assertEqual(d["row"][2].item(), -7)
                d["a"][0, 0] = 42  # still one storage
                self.assertEqual(d["tt"][0, 0].item(), 42)
                expect = torch.arange(12, dtype=torch.float32).reshape(3, 4)
                expect[1, 2] = -7
                expect[0, 0] = 42
                self.assertTrue(torch.equal(d["a"], expect))

    def test_torchscript_edit_loads_with_torch_jit(self):
        import torch
        src = os.path.join(ors.FIXTURES, "pytorch", "torchscript_adder_mlp.pt")
        dst = self.out("script_edit.pt")
        rc, _, err = edit([src, "--set", "decoder.bias[0]=3", "-o", dst])
        self.assertEqual(rc, 0, err)
        a, b = torch.jit.load(src), torch.jit.load(dst)
        self.assertEqual(b.decoder.bias.tolist(), [3.0])
        x1, x2 = torch.tensor([1.0]), torch.tensor([2.0])  # Adder.forward(x1, x2)
        with torch.no_grad():
            delta = (b(x1, x2) - a(x1, x2)).item()
        self.assertAlmostEqual(delta, 3.0 - a.decoder.bias.item(), places=5)
        with zipfile.ZipFile(src) as za, zipfile.ZipFile(dst) as zb:
            changed = [n for n in za.namelist() if za.read(n) != zb.read(n)]
        self.assertEqual(len(changed), 1, changed)
        self.assertTrue(changed[0].startswith("model_scripted/data/"), changed)

    def test_legacy_whole_model_edit(self):
        import torch
        src = os.path.join(ors.FIXTURES, "pytorch", "mlp_full_model_pickle_legacy.pt")
        paths = sorted(ors.tensor_nodes(ors.inspect_json(src)))
        target = paths[0]
        dst = self.out("legacy_edit.pt")
        rc, _, err = edit([src, "--scale", target + "=0", "-o", dst])
        self.assertEqual(rc, 0, err)
        ta, tb = self.assert_same_tensors(src, dst, changed=(target,))
        self.assertFalse(tb[target][0].any())
        self.assertEqual(os.path.getsize(src), os.path.getsize(dst))

    def test_legacy_file_written_in_the_zip_layout_when_asked(self):
        import torch
        src = os.path.join(ors.FIXTURES, "pytorch", "mlp_full_model_pickle_legacy.pt")
        dst = self.out("legacy_as_zip.pt")
        rc, out, err = edit([src, "--legacy-as-zip", "--add", "2.bias[3]=1", "-o", dst])
        self.assertEqual(rc, 0, err)
        self.assertIn("zip layout", out)
        self.assertTrue(zipfile.is_zipfile(dst))
        check_local_headers(self, dst)
        with zipfile.ZipFile(dst) as z:
            self.assertIsNone(z.testzip())
            self.assertIn("legacy_as_zip/data.pkl", z.namelist())
        # The legacy storages are tagged cuda:0, so both loads map them to the CPU.
        a = torch.load(src, map_location="cpu")
        b = torch.load(dst, map_location="cpu")
        self.assertIs(type(a), type(b))
        sa, sb = a.state_dict(), b.state_dict()
        self.assertEqual(list(sa), list(sb))
        for k in sa:
            if k == "2.bias":
                expect = sa[k].clone()
                expect[3] += 1
                self.assertTrue(torch.equal(sb[k], expect))
            else:
                self.assertTrue(torch.equal(sa[k], sb[k]), k)
        x = torch.randn(4, 16)
        with torch.no_grad():
            self.assertFalse(torch.equal(a(x), b(x)))
        # Views of one legacy storage stay views in the zip layout.
        views = self.out("views_legacy_src.pt")
        t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
        torch.save({"a": t, "col": t[:, 1]}, views, _use_new_zipfile_serialization=False)
        dst2 = self.out("views_as_zip.pt")
        rc, _, err = edit([views, "--legacy-as-zip", "--set", "col[1]=9", "-o", dst2])
        self.assertEqual(rc, 0, err)
        d = torch.load(dst2)
        self.assertEqual(d["a"][1, 1].item(), 9)
        d["a"][0, 1] = -1
        self.assertEqual(d["col"][0].item(), -1)

    def test_safetensors_edit_keeps_the_header(self):
        import numpy as np
        src = self.out("plain.safetensors")
        a = np.arange(6, dtype=np.float16).reshape(2, 3)
        b = np.array([1, 2, 3], dtype=np.int32)
        header = {"a": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 12]},
                  "b": {"dtype": "I32", "shape": [3], "data_offsets": [12, 24]},
                  "__metadata__": {"who": "test"}}
        text = json.dumps(header).encode()
        with open(src, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + a.tobytes() + b.tobytes())
        dst = self.out("edited.safetensors")
        rc, _, err = edit([src, "--set", "a[1,0]=0.1", "--add", "b=5", "-o", dst])
        self.assertEqual(rc, 0, err)
        with open(dst, "rb") as f:
            raw = f.read()
        self.assertEqual(raw[:8 + len(text)], struct.pack("<Q", len(text)) + text)
        data = raw[8 + len(text):]
        a2 = np.frombuffer(data[:12], dtype=np.float16).reshape(2, 3)
        b2 = np.frombuffer(data[12:24], dtype=np.int32)
        expect = a.copy()
        expect[1, 0] = np.float16(0.1)
        self.assertTrue(np.array_equal(a2, expect))
        self.assertEqual(b2.tolist(), [6, 7, 8])

    def test_paste_from_csv_and_npy(self):
        import numpy as np
        import torch
        src = os.path.join(ors.EXAMPLES, "seed_lstm_state_dict.pth")
        csv = self.out("block.csv")
        with open(csv, "w") as f:
            f.write("1,2,3\n4,5,6\n")
        npy = self.out("block.npy")
        np.save(npy, np.array([[-1.5], [2.5]], dtype=np.float64))
        dst = self.out("pasted.pth")
        rc, _, err = edit([src, "--paste", "lstm.weight_ih_l1[5,10]=" + csv,
                           "--paste", "lstm.weight_ih_l0[198,0]=" + npy, "-o", dst])
        self.assertEqual(rc, 0, err)
        a, b = torch.load(src), torch.load(dst)
        w = a["lstm.weight_ih_l1"].clone()
        w[5:7, 10:13] = torch.tensor([[1., 2, 3], [4, 5, 6]])
        self.assertTrue(torch.equal(b["lstm.weight_ih_l1"], w))
        w0 = a["lstm.weight_ih_l0"].clone()
        w0[198:200, 0] = torch.tensor([-1.5, 2.5])
        self.assertTrue(torch.equal(b["lstm.weight_ih_l0"], w0))

    def test_refusals_and_usage_errors(self):
        src = os.path.join(ors.FIXTURES, "pytorch", "mixed_dtypes_tensors.pt")
        int_path = [p for p, n in ors.tensor_nodes(ors.inspect_json(src)).items()
                    if n["dtype"] == "i64"][0]
        dst = self.out("refused.pt")
        rc, _, err = edit([src, "--set", "%s[0]=1.5" % int_path, "-o", dst])
        self.assertEqual(rc, 1)
        self.assertIn("not an integer", err)
        self.assertFalse(os.path.exists(dst))
        rc, _, err = edit([src, "--set", "%s[5]=1" % int_path, "-o", dst])
        self.assertEqual(rc, 1)
        self.assertIn("(2,)", err)
        self.assertIn(int_path, err)
        rc, _, err = edit([src, "--set", "%s[0]" % int_path, "-o", dst])
        self.assertEqual(rc, 2, err)
        rc, _, err = edit([src, "--set", "%s[0]=1" % int_path])
        self.assertEqual(rc, 2, err)
        rc, _, err = edit([self.out("missing.pt"), "--set", "x=1", "-o", dst])
        self.assertEqual(rc, 1, err)
        self.assertFalse(os.path.exists(dst))
        self.assertEqual(os.listdir(self.tmp), [])

    def test_save_over_the_source(self):
        import torch
        src = self.out("inplace.pth")
        shutil.copy(os.path.join(ors.EXAMPLES, "seed_lstm_state_dict.pth"), src)
        rc, _, err = edit([src, "--fill", "linear.weight[0, 0:5]=2", "-o", src])
        self.assertEqual(rc, 0, err)
        b = torch.load(src)
        self.assertEqual(b["linear.weight"][0, :5].tolist(), [2.0] * 5)
        self.assertEqual(os.listdir(self.tmp), ["inplace.pth"])


if __name__ == "__main__":
    if SKIP:
        print("SKIP: " + SKIP)
    unittest_main.main()
