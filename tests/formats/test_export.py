# SPDX-License-Identifier: GPL-3.0-or-later
"""`weightsmith-cli export` checked by independent readers: .pth with
torch.load(weights_only=True) (an OrderedDict named by tensor paths, equal to what torch reads
from the source), .npz/.npy with numpy, .safetensors with a reader written here from the
specification (8-byte little-endian header length, JSON header, 8-byte alignment, packed
data_offsets).

Run with /usr/bin/python3 (torch 1.13, numpy); WS_CLI, WS_FIXTURES, WS_EXAMPLES from ctest.
"""
import collections
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

SAFETENSORS_DTYPES = {"F16": "float16", "F32": "float32", "F64": "float64", "I8": "int8",
                      "I16": "int16", "I32": "int32", "I64": "int64", "U8": "uint8",
                      "BOOL": "bool", "BF16": None}


def read_safetensors(path):
    """name -> numpy array (bf16 as float32), by the spec; asserts the layout rules."""
    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert (8 + n) % 8 == 0, "data does not start at a multiple of 8"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out, end = {}, 0
    meta = header.pop("__metadata__", None)
    assert meta is None or all(isinstance(v, str) for v in meta.values())
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e = info["data_offsets"]
        assert b == end, "%s: tensors are not packed (%d != %d)" % (name, b, end)
        end = e
        dt = SAFETENSORS_DTYPES[info["dtype"]]
        chunk = data[b:e]
        if dt is None:  # bf16: the upper half of a float32
            a = np.frombuffer(chunk, dtype="<u2").astype("<u4") << 16
            arr = a.view("<f4").reshape(info["shape"])
        else:
            arr = np.frombuffer(chunk, dtype=np.dtype(dt).newbyteorder("<")).reshape(info["shape"])
        assert arr.nbytes == e - b or dt is None
        out[name] = arr
    assert end == len(data), "bytes after the last tensor"
    return out


def sources():
    files = [os.path.join(ors.FIXTURES, "pytorch", f)
             for f in sorted(os.listdir(os.path.join(ors.FIXTURES, "pytorch")))]
    return files + ors.example_files()


@unittest.skipIf(SKIP, SKIP or "")
class ExportTest(unittest.TestCase):
    def setUp(self):
        warnings.simplefilter("ignore")
        self.tmp = tempfile.mkdtemp(prefix="ws_export_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def export(self, src, out, *extra):
        proc = ors.run_cli(["export", src, "-o", out] + list(extra), timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
        return proc

    def expected(self, src):
        """path -> (array, dtype name) as torch reads the source, and the tensor paths
        inspect reports (the names the export must use)."""
        paths = set(ors.tensor_nodes(ors.inspect_json(src)))
        oracle = ors.torch_tensors(src)
        self.assertEqual(set(oracle), paths, "torch and inspect disagree on the tensors")
        return oracle, paths

    def test_pth_loads_with_weights_only(self):
        import torch
        for src in sources():
            with self.subTest(file=os.path.basename(src)):
                want, paths = self.expected(src)
                out = os.path.join(self.tmp, "export.pth")
                self.export(src, out)
                sd = torch.load(out, weights_only=True)
                self.assertIsInstance(sd, collections.OrderedDict)
                self.assertEqual(set(sd), paths)
                for k, (arr, dtype) in want.items():
                    t = sd[k]
                    if dtype == "bf16":
                        self.assertEqual(t.dtype, torch.bfloat16)
                        t = t.float()
                    self.assertEqual(tuple(t.shape), arr.shape, k)
                    self.assertEqual(t.contiguous().numpy().tobytes(), arr.tobytes(), k)
                with zipfile.ZipFile(out) as z:
                    self.assertIsNone(z.testzip())
                    self.assertIn("export/data.pkl", z.namelist())
                    self.assertEqual(z.read("export/byteorder"), b"little")
                    self.assertEqual(z.read("export/version").strip(), b"3")

    def test_exported_state_dict_loads_into_the_seed_model(self):
        import torch
        import torch.nn as nn
        src = os.path.join(ors.EXAMPLES, "seed_lstm_model.pth")
        out = os.path.join(self.tmp, "seed_sd.pth")
        self.export(src, out)
        model = nn.Module()
        model.lstm = nn.LSTM(1, 50, num_layers=4, dropout=0.2, batch_first=True)
        model.dropout = nn.Dropout(0.2)
        model.linear = nn.Linear(50, 1)
        model.load_state_dict(torch.load(out, weights_only=True), strict=True)

    def test_npz_and_safetensors_match_torch(self):
        import numpy as np
        for src in sources():
            with self.subTest(file=os.path.basename(src)):
                want, paths = self.expected(src)
                npz = os.path.join(self.tmp, "export.npz")
                proc = self.export(src, npz)
                with np.load(npz, allow_pickle=False) as z:
                    self.assertEqual(set(z.files), paths)
                    for k, (arr, dtype) in want.items():
                        got = z[k]
                        self.assertEqual(got.dtype, arr.dtype, k)
                        self.assertEqual(got.tobytes(), arr.tobytes(), k)
                if any(d == "bf16" for _, d in want.values()):
                    self.assertIn(b"float32", proc.stderr)
                st = os.path.join(self.tmp, "export.safetensors")
                self.export(src, st)
                got = read_safetensors(st)
                self.assertEqual(set(got), paths)
                for k, (arr, dtype) in want.items():
                    self.assertEqual(got[k].shape, arr.shape, k)
                    self.assertEqual(got[k].astype(arr.dtype).tobytes(), arr.tobytes(), k)

    def test_one_tensor_as_npy(self):
        import numpy as np
        src = os.path.join(ors.FIXTURES, "pytorch", "bfloat16_tensor.pt")
        want, _ = self.expected(src)
        out = os.path.join(self.tmp, "t.npy")
        proc = self.export(src, out, "--tensor", "tensor")
        got = np.load(out)
        self.assertEqual(got.dtype, np.float32)
        self.assertEqual(got.tobytes(), want["tensor"][0].tobytes())
        self.assertIn(b"float32", proc.stderr)
        # Several tensors and no --tensor: a clear refusal, nothing written.
        many = os.path.join(ors.EXAMPLES, "seed_lstm_state_dict.pth")
        proc = ors.run_cli(["export", many, "-o", os.path.join(self.tmp, "x.npy")])
        self.assertEqual(proc.returncode, 1)
        self.assertIn(b"--tensor", proc.stderr)
        proc = ors.run_cli(["export", many, "-o", os.path.join(self.tmp, "x.txt")])
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["t.npy"])
        proc = ors.run_cli(["export", many])
        self.assertEqual(proc.returncode, 2)


if __name__ == "__main__":
    if SKIP:
        print("SKIP: " + SKIP)
    unittest_main.main()
