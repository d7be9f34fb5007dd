#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""NumPy arrays inside torch checkpoints (numpy.core.multiarray._reconstruct in the pickle) open
as tensors: checkpoints written by real torch 1.13 holding arrays of every element type
Weightsmith knows, in C and Fortran order, big-endian, 0-d and empty, next to torch tensors.
Every array's shape, dtype and bytes read back through `inspect --tensor PATH --npy` equal
NumPy's; an object array is not dropped silently but stays a visible node with a warning.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_support as ws  # noqa: E402
import unittest_main  # noqa: E402


def arrays():
    import numpy as np
    rng = np.random.default_rng(3)
    return {
        "f32": rng.standard_normal((3, 4)).astype(np.float32),
        "f64_fortran": np.asfortranarray(rng.standard_normal((2, 3, 4))),
        "f16": rng.standard_normal(5).astype(np.float16),
        "i8": np.arange(-4, 4, dtype=np.int8),
        "i16_big_endian": np.arange(6, dtype=">i2").reshape(2, 3),
        "i32": np.arange(12, dtype=np.int32).reshape(3, 4),
        "i64": np.array([-(2 ** 40), 7], dtype=np.int64),
        "u8": np.arange(250, 256, dtype=np.uint8),
        "bool": np.array([True, False, True]),
        "scalar": np.array(2.5),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }


class NumpyInPicklesTest(ws.OracleTestCase):
    def test_arrays_match_numpy_in_both_layouts(self):
        import torch
        checkpoint = {"arrays": arrays(), "weight": torch.ones(2, 2),
                      "history": [{"loss": arrays()["f32"][0]}]}
        for legacy in (False, True):
            path = os.path.join(self.workdir, "arrays%s.pth" % ("_legacy" if legacy else ""))
            torch.save(checkpoint, path, _use_new_zipfile_serialization=not legacy)
            _, ours, _ = ws.assert_tensors_match_oracle(self, path, self.workdir)
            self.assertIn("arrays/f64_fortran", ours)  # the oracle must see the arrays at all

    def test_an_object_array_stays_visible_with_a_warning(self):
        import numpy as np
        import torch
        path = os.path.join(self.workdir, "object_array.pth")
        torch.save({"names": np.array(["a", None], dtype=object), "w": np.ones(2)}, path)
        doc = ws.inspect_json(path)
        self.assertIn("w", ws.tensor_nodes(doc))
        paths = {n.get("path") for n in ws.walk_nodes(doc["tree"])}
        self.assertIn("names", paths)
        self.assertTrue(any("names" in w for w in doc.get("warnings", [])), doc.get("warnings"))


if __name__ == "__main__":
    unittest_main.main()
