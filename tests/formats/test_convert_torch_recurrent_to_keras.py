# SPDX-License-Identifier: GPL-3.0-or-later
"""`weightsmith-cli convert model.pth -o out.h5` for custom recurrent modules: nn.LSTM, nn.GRU
and nn.RNN (stacked, bidirectional, batch-first and time-major) -> nn.Linear on the last step,
pickled whole. A pickle does not record forward(); the generated Keras model follows the stated
convention (the head reads the last step; for a bidirectional module the concatenation of each
direction's final state, as Keras' Bidirectional returns it), and the torch models here compute
exactly that. Real torch builds and saves them, the CLI generates a Keras 2 .h5, the Keras
oracle (TensorFlow.js, WS_KERAS_ORACLE) runs it at 1, 7 and 64 steps, and the outputs must
agree with torch's within 1e-5 (1e-4 at 64 steps). convert's own forward check runs without
--input-shape. Negative control: the file with the two directions' kernels swapped (h5py) must
disagree.

Env as tests/formats/test_convert_torch_to_keras.py. Run with /usr/bin/python3.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_oracle  # noqa: E402
import oracle_support as ors  # noqa: E402
import unittest_main  # noqa: E402

SKIP = ors.skip_reason()
ORACLE_SKIP = SKIP or keras_oracle.unavailable_reason()
BATCH = 3
FEATURES = 3
HIDDEN = 5


convert = ors.run_convert
def recurrent_head(kind, layers=1, bidirectional=False, batch_first=True):
    """kind (LSTM/GRU/RNN) -> Linear, forward() following the generated model's convention."""
    torch.manual_seed({"LSTM": 1, "GRU": 2, "RNN": 3}[kind] * 10 + layers + 2 * bidirectional)
    return RecurrentHead(kind, layers, bidirectional, batch_first).eval()


try:  # torch.save pickles the class by reference: it must live at module level
    import torch
    import torch.nn as nn
except ImportError:  # SKIP says why
    torch = nn = None

if nn is not None:
    class RecurrentHead(nn.Module):
        def __init__(self, kind, layers, bidirectional, batch_first):
            super().__init__()
            cell = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}[kind]
            self.rnn = cell(FEATURES, HIDDEN, num_layers=layers, bidirectional=bidirectional,
                            batch_first=batch_first)
            self.fc = nn.Linear(HIDDEN * (2 if bidirectional else 1), 2)

        def forward(self, x):  # x batch-first or time-major, as the module is
            y, state = self.rnn(x)
            h = state[0] if isinstance(state, tuple) else state
            if self.rnn.bidirectional:  # Keras' Bidirectional: each direction's final state
                return self.fc(torch.cat((h[-2], h[-1]), 1))
            return self.fc(y[:, -1] if self.rnn.batch_first else y[-1])


CASES = [
    ("LSTM", 1, False, True),
    ("GRU", 2, False, True),
    ("RNN", 2, False, True),
    ("LSTM", 1, True, True),
    ("GRU", 2, True, True),
    ("LSTM", 2, False, False),
]


class GeneratedRecurrentModels(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_rnn2k_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def oracle_diff(self, model, keras_path, steps):
        import numpy as np
        import torch
        rng = np.random.RandomState(steps)
        x = rng.standard_normal((BATCH, steps, FEATURES)).astype(np.float32)
        t = torch.from_numpy(x)
        if not model.rnn.batch_first:
            t = t.transpose(0, 1).contiguous()
        with torch.no_grad():
            expected = model(t).double().numpy()
        got = keras_oracle.outputs(keras_path, x, self.tmp)[0]
        self.assertEqual(got.shape, expected.shape)
        return float(np.max(np.abs(got - expected)))

    def test_every_case(self):
        import torch
        for kind, layers, bidirectional, batch_first in CASES:
            name = "%s_%d%s%s" % (kind, layers, "_bi" if bidirectional else "",
                                  "" if batch_first else "_tm")
            with self.subTest(name):
                model = recurrent_head(kind, layers, bidirectional, batch_first)
                src = os.path.join(self.tmp, name + ".pth")
                torch.save(model, src)
                out = os.path.join(self.tmp, name + ".h5")
                report = os.path.join(self.tmp, name + ".json")
                proc = convert([src, "-o", out, "--report-json", report])
                self.assertEqual(proc.returncode, 0, proc.stderr.decode())
                stdout = proc.stdout.decode()
                with open(report) as f:
                    doc = json.load(f)
                # convert's own check chose the sequence lengths itself.
                self.assertEqual([r["input_shape"] for r in doc["verify"]["runs"]],
                                 [[4, 1, FEATURES], [4, 7, FEATURES], [4, 64, FEATURES]])
                self.assertTrue(doc["verify"]["pass"])
                if bidirectional:
                    self.assertIn("each direction's final state", stdout)
                if not batch_first:
                    self.assertEqual(doc["input_layout"], "TNF -> NTF")
                if ORACLE_SKIP:
                    continue
                for steps in (1, 7, 64):
                    diff = self.oracle_diff(model, out, steps)
                    print("%s, %d steps: max abs diff vs torch %.3g" % (name, steps, diff))
                    self.assertLessEqual(diff, 1e-4 if steps > 50 else 1e-5)

    def test_swapped_directions_disagree(self):
        """Negative control: the backward kernels written as the forward ones and vice versa."""
        if ORACLE_SKIP:
            self.skipTest(ORACLE_SKIP)
        import h5py
        import torch
        model = recurrent_head("LSTM", 1, True, True)
        src = os.path.join(self.tmp, "bi.pth")
        torch.save(model, src)
        out = os.path.join(self.tmp, "bi.h5")
        proc = convert([src, "-o", out, "--no-verify"])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        with h5py.File(out, "r+") as f:
            g = f["model_weights/rnn/rnn"]
            for role in ("kernel:0", "recurrent_kernel:0"):
                fw = g["forward_lstm/" + role][()]
                g["forward_lstm/" + role][...] = g["backward_lstm/" + role][()]
                g["backward_lstm/" + role][...] = fw
        diff = self.oracle_diff(model, out, 7)
        print("negative control (directions swapped): max abs diff %.3g" % diff)
        self.assertGreater(diff, 1e-3)


if __name__ == "__main__":
    if SKIP:
        print("SKIP: " + SKIP)
    unittest_main.main()
