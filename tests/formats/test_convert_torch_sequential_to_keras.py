# SPDX-License-Identifier: GPL-3.0-or-later
"""`weightsmith-cli convert model.pth -o out.h5` for whole pickled nn.Sequential models of every
item kind the generator knows (core/convert/torch_sequential_to_keras.h), proved by forward
passes in the real engines: real torch (Debian's 1.13) builds and saves the model, the CLI
generates a Keras 2 .h5, the Keras oracle (TensorFlow.js, WS_KERAS_ORACLE) runs it on the same
seeded input moved channels-last, and both outputs must agree within 1e-5.

Negative controls: the same .h5 with the Flatten -> Dense row reorder undone (h5py) and with a
conv kernel's spatial axes flipped must disagree with torch; the refusals name the item and say
--template.

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
TOLERANCE = 1e-5
BATCH = 3


convert = ors.run_convert
model_config = ors.h5_model_config
def randomize_batchnorm(model):
    """Non-trivial statistics and affine parameters, so a wrong BN rule shows."""
    import torch
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
    return model.eval()


def cnn_sequential():
    """The issue's example: Conv2d -> BatchNorm2d -> ReLU -> MaxPool2d -> Conv2d ('same') ->
    ReLU -> Flatten -> Linear -> Softmax; the Linear's in_features fix the image at 10x10."""
    import torch
    import torch.nn as nn
    torch.manual_seed(2026)
    return randomize_batchnorm(nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 6, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 4 * 4, 10),
        nn.Softmax(dim=1)))


class GeneratedFromSequential(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_seq2k_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def generate(self, model, name, extra=()):
        import torch
        src = os.path.join(self.tmp, name + ".pth")
        torch.save(model, src)
        out = os.path.join(self.tmp, name + ".h5")
        report = os.path.join(self.tmp, name + ".json")
        proc = convert([src, "-o", out, "--report-json", report] + list(extra))
        self.assertEqual(proc.returncode, 0, proc.stderr.decode() + proc.stdout.decode())
        with open(report) as f:
            return out, proc.stdout.decode(), json.load(f)

    def oracle_vs_torch(self, model, keras_path, torch_shape):
        """max |Keras - torch| on a seeded input; Keras gets it channels-last."""
        import numpy as np
        import torch
        rng = np.random.RandomState(20261204)
        x = rng.standard_normal((BATCH,) + tuple(torch_shape)).astype(np.float32)
        with torch.no_grad():
            expected = model(torch.from_numpy(x)).double().numpy()
        keras_x = np.ascontiguousarray(np.moveaxis(x, 1, -1)) if len(torch_shape) > 1 else x
        got = keras_oracle.outputs(keras_path, keras_x, self.tmp)[0]
        self.assertEqual(got.shape, expected.shape)
        return float(np.max(np.abs(got - expected)))

    def test_conv_batchnorm_flatten_linear(self):
        model = cnn_sequential()
        out, stdout, report = self.generate(model, "cnn")
        layers = model_config(out)["config"]["layers"]
        self.assertEqual([l["class_name"] for l in layers],
                         ["InputLayer", "Conv2D", "BatchNormalization", "Activation",
                          "MaxPooling2D", "Conv2D", "Flatten", "Dense"])
        self.assertEqual(layers[0]["config"]["batch_input_shape"], [None, 10, 10, 3])
        self.assertEqual(layers[5]["config"]["padding"], "same")
        self.assertEqual(layers[7]["config"]["activation"], "softmax")
        self.assertAlmostEqual(layers[2]["config"]["epsilon"], 1e-5)
        # The layout change is stated on stdout and in the report.
        self.assertIn("input layout: NCHW -> NHWC", stdout)
        self.assertEqual(report["input_layout"], "NCHW -> NHWC")
        self.assertTrue(report["generated_config"])
        # convert's own forward check ran at the size the Flatten -> Linear implies.
        self.assertTrue(report["verify"]["ran"] and report["verify"]["pass"])
        self.assertEqual(report["verify"]["input_shape"], [4, 10, 10, 3])
        if ORACLE_SKIP:
            print("SKIP: oracle comparison: %s" % ORACLE_SKIP)
            return
        diff = self.oracle_vs_torch(model, out, (3, 10, 10))
        print("nn.Sequential CNN -> Keras: max abs diff vs torch %.3g" % diff)
        self.assertLessEqual(diff, TOLERANCE)

        # Negative controls, each breaking one transform family in the written file.
        import h5py
        import numpy as np
        broken = os.path.join(self.tmp, "rows.h5")
        shutil.copy(out, broken)
        with h5py.File(broken, "r+") as f:  # Dense rows back in PyTorch's (C, H, W) order
            k = f["model_weights/dense/dense/kernel:0"]
            rows = model[7].weight.detach().numpy().T
            self.assertFalse(np.array_equal(k[()], rows))
            k[...] = rows
        rows_diff = self.oracle_vs_torch(model, broken, (3, 10, 10))
        print("negative control (Flatten rows not reordered): max abs diff %.3g" % rows_diff)
        self.assertGreater(rows_diff, 100 * TOLERANCE)
        flipped = os.path.join(self.tmp, "flip.h5")
        shutil.copy(out, flipped)
        with h5py.File(flipped, "r+") as f:  # conv kernel with its spatial axes flipped
            k = f["model_weights/conv2d/conv2d/kernel:0"]
            k[...] = k[()][::-1, ::-1]
        flip_diff = self.oracle_vs_torch(model, flipped, (3, 10, 10))
        print("negative control (conv kernel flipped): max abs diff %.3g" % flip_diff)
        self.assertGreater(flip_diff, 100 * TOLERANCE)

    def test_dense_batchnorm1d_and_activations(self):
        import torch
        import torch.nn as nn
        torch.manual_seed(7)
        model = randomize_batchnorm(nn.Sequential(
            nn.Linear(5, 12), nn.BatchNorm1d(12), nn.ELU(), nn.Linear(12, 9), nn.SiLU(),
            nn.Dropout(0.2), nn.Linear(9, 4), nn.Sigmoid()))
        out, _, report = self.generate(model, "mlp")
        self.assertIsNone(report["input_layout"])
        layers = model_config(out)["config"]["layers"]
        self.assertEqual([(l["class_name"], l["config"].get("activation")) for l in layers],
                         [("InputLayer", None), ("Dense", "linear"),
                          ("BatchNormalization", None), ("Activation", "elu"),
                          ("Dense", "swish"), ("Dropout", None), ("Dense", "sigmoid")])
        if ORACLE_SKIP:
            print("SKIP: oracle comparison: %s" % ORACLE_SKIP)
            return
        diff = self.oracle_vs_torch(model, out, (5,))
        print("nn.Sequential MLP + BatchNorm1d -> Keras: max abs diff vs torch %.3g" % diff)
        self.assertLessEqual(diff, TOLERANCE)

    def test_conv1d_global_pooling(self):
        import torch
        import torch.nn as nn
        torch.manual_seed(11)
        model = nn.Sequential(nn.Conv1d(4, 6, 5, stride=2), nn.ReLU(), nn.AvgPool1d(2),
                              nn.Conv1d(6, 8, 3, padding=1), nn.Tanh(),
                              nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, 3)).eval()
        out, stdout, report = self.generate(model, "conv1d")
        self.assertEqual(report["input_layout"], "NCL -> NLC")
        # The free length is chosen for the forward check: the smallest every layer accepts
        # (7: kernel 5 stride 2 gives 2, pooled to 1).
        self.assertTrue(report["verify"]["ran"] and report["verify"]["pass"])
        self.assertEqual(report["verify"]["input_shape"], [4, 7, 4])
        layers = model_config(out)["config"]["layers"]
        # No Flatten -> Dense fixes the length: the Keras input keeps it free.
        self.assertEqual(layers[0]["config"]["batch_input_shape"], [None, None, 4])
        self.assertIn("GlobalAveragePooling1D", [l["class_name"] for l in layers])
        if ORACLE_SKIP:
            print("SKIP: oracle comparison: %s" % ORACLE_SKIP)
            return
        diff = self.oracle_vs_torch(model, out, (4, 40))
        print("nn.Sequential Conv1d + global pooling -> Keras: max abs diff vs torch %.3g" % diff)
        self.assertLessEqual(diff, TOLERANCE)

    def test_transposed_conv_layernorm_and_parametric_activations(self):
        import torch
        import torch.nn as nn
        torch.manual_seed(13)
        model = nn.Sequential(nn.ConvTranspose2d(2, 4, 3, stride=2), nn.LeakyReLU(0.2),
                              nn.Conv2d(4, 3, 2), nn.ReLU6(), nn.Flatten(),
                              nn.Linear(3 * 10 * 10, 16), nn.LayerNorm(16), nn.GELU(),
                              nn.Linear(16, 4)).eval()
        with torch.no_grad():  # a LayerNorm with non-trivial affine parameters
            model[6].weight.uniform_(0.5, 1.5)
            model[6].bias.uniform_(-0.3, 0.3)
        out, _, report = self.generate(model, "mixed")
        layers = model_config(out)["config"]["layers"]
        self.assertEqual([l["class_name"] for l in layers],
                         ["InputLayer", "Conv2DTranspose", "LeakyReLU", "Conv2D", "ReLU",
                          "Flatten", "Dense", "LayerNormalization", "Activation", "Dense"])
        # 5x5 -> transposed (k 3, s 2) 11x11 -> conv k 2 10x10: the Linear's 300 inputs.
        self.assertEqual(layers[0]["config"]["batch_input_shape"], [None, 5, 5, 2])
        if ORACLE_SKIP:
            print("SKIP: oracle comparison: %s" % ORACLE_SKIP)
            return
        diff = self.oracle_vs_torch(model, out, (2, 5, 5))
        print("nn.Sequential ConvTranspose2d/LayerNorm/LeakyReLU/ReLU6/GELU -> Keras: max abs "
              "diff vs torch %.3g" % diff)
        self.assertLessEqual(diff, TOLERANCE)

    def test_refusals_name_the_item_and_suggest_a_template(self):
        import torch
        import torch.nn as nn
        cases = [
            (nn.Sequential(nn.Conv2d(4, 8, 3, groups=2), nn.Flatten()), "groups=2"),
            (nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1)), "neither Keras 'valid'"),
            (nn.Sequential(nn.Conv2d(3, 8, 3), nn.MaxPool2d(2, ceil_mode=True)), "ceil_mode"),
            (nn.Sequential(nn.Linear(3, 4), nn.Hardswish()), "(Hardswish)"),
        ]
        for i, (model, words) in enumerate(cases):
            src = os.path.join(self.tmp, "refused%d.pth" % i)
            torch.save(model, src)
            out = os.path.join(self.tmp, "refused%d.h5" % i)
            proc = convert([src, "-o", out])
            err = proc.stderr.decode()
            self.assertEqual(proc.returncode, 1, err)
            self.assertIn("a template is required", err)
            self.assertIn("--template", err)
            self.assertIn(words, err)
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    if SKIP:
        print("SKIP: " + SKIP)
    unittest_main.main()
