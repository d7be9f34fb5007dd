#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tensors Weightsmith cannot read are never dropped silently. A safetensors tensor of an
element type it does not hold (F8_E4M3, written here from the spec) and a quantized tensor in a
checkpoint written by real torch 1.13 each become one visible node marked unsupported, with a
warning and a count in the totals, while the rest of the file opens. `export` refuses (exit 1,
naming them and the output) to write a file that would lack them, and leaves no file; with
--drop-unsupported it writes the rest, which torch loads with exactly the readable tensors.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_support as ws  # noqa: E402
import unittest_main  # noqa: E402
from test_cli import write_safetensors  # noqa: E402


class UnsupportedTensorsTest(ws.OracleTestCase):
    def path(self, leaf):
        return os.path.join(self.workdir, leaf)

    def check_kept_visible_and_export_refused(self, source, lost, kept):
        doc = ws.inspect_json(source)
        self.assertEqual(doc["totals"]["unsupported"], 1)
        self.assertEqual(set(ws.tensor_nodes(doc)), set(kept))
        marked = [n for n in ws.walk_nodes(doc["tree"])
                  if "unsupported" in n.get("attributes", {})]
        self.assertEqual([n["path"] for n in marked], [lost])
        self.assertTrue(any(lost in w for w in doc["warnings"]), doc["warnings"])

        out = self.path(os.path.basename(source) + ".pth")
        proc = ws.run_cli(["export", source, "-o", out])
        self.assertEqual(proc.returncode, 1, proc.stderr)
        err = proc.stderr.decode()
        self.assertIn("'%s'" % lost, err)
        self.assertIn(out, err)
        self.assertIn("--drop-unsupported", err)
        self.assertFalse(os.path.exists(out))

        proc = ws.run_cli(["export", source, "-o", out, "--drop-unsupported"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        import torch
        self.assertEqual(sorted(torch.load(out, weights_only=True)), sorted(kept))

    def test_an_unknown_safetensors_dtype(self):
        import numpy as np
        source = self.path("fp8.safetensors")
        # F8_E4M3 bytes as the spec lays them out: one byte per element.
        write_safetensors(source, [("w", "F32", np.arange(4, dtype="<f4")),
                                   ("q", "F8_E4M3", np.array([0x38, 0x40, 0xb8], dtype="u1"))])
        self.check_kept_visible_and_export_refused(source, "q", ["w"])
        # The readable tensor reads as written.
        got = ws.cli_tensor(source, "w", self.workdir)
        self.assertEqual(got.tobytes(), np.arange(4, dtype="<f4").tobytes())

    def test_a_quantized_tensor_in_a_torch_checkpoint(self):
        import torch
        source = self.path("quantized.pth")
        q = torch.quantize_per_tensor(torch.tensor([0.5, -1.0, 2.0]), 0.1, 3, torch.qint8)
        torch.save({"weight": torch.ones(2, 2), "qweight": q}, source)
        self.check_kept_visible_and_export_refused(source, "qweight", ["weight"])


if __name__ == "__main__":
    unittest_main.main()
