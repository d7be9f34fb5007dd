# SPDX-License-Identifier: GPL-3.0-or-later
"""Conv2DTranspose, DepthwiseConv2D, SeparableConv2D and LayerNormalization, converted Keras ->
PyTorch and proved by forward passes in the real engines.

No shared fixture has these layers, so each test writes a real Keras 2 full-model .h5 with h5py
(keras_h5_writer.py: model_config + weights in the Keras 2 layout, random values; 'same'
padding with stride 2 where the kind has strides), then:
  - the Keras oracle (TensorFlow.js reading the .h5) gives the Keras output for a seeded input;
  - `convert X.h5 -o X.pth --emit-module X.py` (which runs its own forward check);
  - real torch builds the generated module, loads the export with strict=True and runs the same
    input: its output must match the oracle's to <= 1e-5;
  - `weightsmith-cli verify X.h5 X.pth` passes.
Negative control: the depthwise weight with its channels in the wrong order (c + C*j instead of
c*m + j, i.e. the Keras kernel's last two axes read the other way round) written to a copy of
the export makes both `verify` and the oracle comparison fail.

Env: WS_CLI, WS_KERAS_ORACLE (SKIP for the oracle parts when absent). Run with /usr/bin/python3.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_h5_writer as kw  # noqa: E402
import keras_oracle  # noqa: E402
import oracle_support as ors  # noqa: E402
import unittest_main  # noqa: E402

ORACLE_SKIP = keras_oracle.unavailable_reason()
TOLERANCE = 1e-5
BATCH = 2


def conv_config(**config):
    config.setdefault("data_format", "channels_last")
    config.setdefault("activation", "linear")
    config.setdefault("use_bias", True)
    return config


def random_weights(rng, shapes, scale=0.4):
    """[(weight name, array)] with standard normal values times `scale` (biases too, so a bias
    applied in the wrong place shows)."""
    return [(name, (rng.standard_normal(shape) * scale).astype("float32"))
            for name, shape in shapes]


def transpose_model(rng):
    """Conv2DTranspose: 'same' stride 2 with odd (3) and even (4) kernels -- TF then drops a
    different number of elements before and after -- and 'valid' with unequal strides."""
    layers = [
        kw.layer("Conv2DTranspose", "up_same_k3", **conv_config(
            filters=4, kernel_size=[3, 3], strides=[2, 2], padding="same",
            dilation_rate=[1, 1], output_padding=None, activation="relu")),
        kw.layer("Conv2DTranspose", "up_same_k4", **conv_config(
            filters=3, kernel_size=[4, 4], strides=[2, 2], padding="same",
            dilation_rate=[1, 1], output_padding=None)),
        kw.layer("Conv2DTranspose", "up_valid", **conv_config(
            filters=2, kernel_size=[3, 2], strides=[2, 1], padding="valid",
            dilation_rate=[1, 1], output_padding=None, activation="tanh")),
    ]
    weights = {  # Keras kernel (kh, kw, out, in)
        "up_same_k3": random_weights(rng, [("kernel", (3, 3, 4, 3)), ("bias", (4,))]),
        "up_same_k4": random_weights(rng, [("kernel", (4, 4, 3, 4)), ("bias", (3,))]),
        "up_valid": random_weights(rng, [("kernel", (3, 2, 2, 3)), ("bias", (2,))]),
    }
    return (5, 5, 3), layers, weights


def depthwise_model(rng, dilation=1):
    """DepthwiseConv2D: 'same' stride 2 with depth_multiplier 2, then 'valid' (kernel 2x3);
    with dilation > 1: 'same' and 'valid' at stride 1 (TensorFlow allows dilation only there)."""
    stride = 2 if dilation == 1 else 1
    layers = [
        kw.layer("DepthwiseConv2D", "dw_same", **conv_config(
            kernel_size=[3, 3], strides=[stride, stride], padding="same", depth_multiplier=2,
            dilation_rate=[dilation, dilation])),
        kw.layer("DepthwiseConv2D", "dw_valid", **conv_config(
            kernel_size=[2, 3], strides=[1, 1], padding="valid", depth_multiplier=1,
            dilation_rate=[dilation, dilation], activation="relu")),
    ]
    weights = {  # depthwise_kernel (kh, kw, C, m)
        "dw_same": random_weights(rng, [("depthwise_kernel", (3, 3, 3, 2)), ("bias", (6,))]),
        "dw_valid": random_weights(rng, [("depthwise_kernel", (2, 3, 6, 1)), ("bias", (6,))]),
    }
    return (11, 11, 3), layers, weights


def keras_depthwise_reference(x, layers, weights):
    """Keras DepthwiseConv2D (TensorFlow's depthwise_conv2d with `dilations`) in float64 NumPy,
    written from its definition: out[n, i, j, c*m + q] = bias + sum over (a, b) of
    x_padded[n, i*s + a*d, j*s + b*d, c] * kernel[a, b, c, q]; 'same' pads
    max((out - 1) * s + (k - 1) * d + 1 - in, 0), the smaller half before. For the dilated
    model, which the oracle cannot compute (see DilatedDepthwise)."""
    import numpy as np
    y = x.astype(np.float64)
    for entry in layers:
        c = entry["config"]
        k, b = (np.asarray(v, np.float64) for _, v in weights[c["name"]])
        (s, _), (d, _) = c["strides"], c["dilation_rate"]
        kh, kw_, channels, m = k.shape
        if c["padding"] == "same":
            pads = []
            for size, ksize in ((y.shape[1], kh), (y.shape[2], kw_)):
                out = -(-size // s)
                total = max((out - 1) * s + (ksize - 1) * d + 1 - size, 0)
                pads.append((total // 2, total - total // 2))
            y = np.pad(y, ((0, 0), pads[0], pads[1], (0, 0)))
        oh = (y.shape[1] - (kh - 1) * d - 1) // s + 1
        ow = (y.shape[2] - (kw_ - 1) * d - 1) // s + 1
        out = np.zeros((y.shape[0], oh, ow, channels, m))
        for a in range(kh):
            for bb in range(kw_):
                patch = y[:, a * d:a * d + (oh - 1) * s + 1:s, bb * d:bb * d + (ow - 1) * s + 1:s]
                out += patch[..., None] * k[a, bb]
        y = out.reshape(y.shape[0], oh, ow, channels * m) + b
        if c["activation"] == "relu":
            y = np.maximum(y, 0)
    return y


def separable_model(rng):
    """SeparableConv2D: 'same' stride 2 with depth_multiplier 2, then 'valid' without bias."""
    layers = [
        kw.layer("SeparableConv2D", "sep_same", **conv_config(
            filters=5, kernel_size=[3, 3], strides=[2, 2], padding="same", depth_multiplier=2,
            dilation_rate=[1, 1], activation="relu")),
        kw.layer("SeparableConv2D", "sep_valid", **conv_config(
            filters=4, kernel_size=[2, 3], strides=[1, 1], padding="valid", depth_multiplier=1,
            dilation_rate=[1, 1], use_bias=False)),
    ]
    weights = {  # depthwise_kernel (kh, kw, C, m), pointwise_kernel (1, 1, C*m, F)
        "sep_same": random_weights(rng, [("depthwise_kernel", (3, 3, 3, 2)),
                                         ("pointwise_kernel", (1, 1, 6, 5)), ("bias", (5,))]),
        "sep_valid": random_weights(rng, [("depthwise_kernel", (2, 3, 5, 1)),
                                          ("pointwise_kernel", (1, 1, 5, 4))]),
    }
    return (9, 9, 3), layers, weights


def layernorm_model(rng):
    """LayerNormalization (axis -1) after a strided 'same' Conv2D -- PyTorch then normalizes a
    channels-last view -- with center and scale, then without center and another epsilon."""
    layers = [
        kw.layer("Conv2D", "conv", **conv_config(
            filters=4, kernel_size=[3, 3], strides=[2, 2], padding="same",
            dilation_rate=[1, 1], groups=1)),
        kw.layer("LayerNormalization", "norm", axis=[-1], epsilon=0.001, center=True,
                 scale=True),
        kw.layer("Conv2D", "mix", **conv_config(
            filters=3, kernel_size=[1, 1], strides=[1, 1], padding="valid",
            dilation_rate=[1, 1], groups=1)),
        kw.layer("LayerNormalization", "norm_scale_only", axis=[-1], epsilon=1e-5,
                 center=False, scale=True),
    ]
    weights = {
        "conv": random_weights(rng, [("kernel", (3, 3, 3, 4)), ("bias", (4,))]),
        "norm": [("gamma", (1 + 0.3 * rng.standard_normal(4)).astype("float32")),
                 ("beta", (0.3 * rng.standard_normal(4)).astype("float32"))],
        "mix": random_weights(rng, [("kernel", (1, 1, 4, 3)), ("bias", (3,))]),
        "norm_scale_only": [("gamma", (1 + 0.3 * rng.standard_normal(3)).astype("float32"))],
    }
    return (7, 7, 3), layers, weights


def seeded_input(shape):
    import numpy as np
    return np.random.RandomState(20261129).standard_normal((BATCH,) + shape).astype(np.float32)


def torch_output(module_path, pth_path, x, output_channels_first=True):
    """The generated module built in real torch (float64), the export loaded strictly, run on
    x moved to channels-first; the output moved back to channels-last when the module returns
    it channels-first (its docstring says which)."""
    import numpy as np
    y = ors.run_generated_module(module_path, pth_path, np.moveaxis(x, -1, 1))
    return np.moveaxis(y, 1, -1) if output_channels_first else y


class ConvVariantsMatchOracle(unittest.TestCase):
    def setUp(self):
        if not ors.CLI or not os.path.isfile(ors.CLI):
            self.skipTest("WS_CLI is not set")
        self.tmp = tempfile.mkdtemp(prefix="ws_convvar_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, build):
        import numpy as np
        shape, layers, weights = build(np.random.RandomState(len(name)))
        path = os.path.join(self.tmp, name + ".h5")
        kw.write_sequential(path, shape, layers, weights)
        return path, shape

    def convert(self, h5, name):
        pth = os.path.join(self.tmp, name + ".pth")
        py = os.path.join(self.tmp, name + ".py")
        report = os.path.join(self.tmp, name + ".json")
        proc = ors.run_cli(["convert", h5, "-o", pth, "--emit-module", py,
                            "--report-json", report], timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stdout.decode() + proc.stderr.decode())
        out = proc.stdout.decode()
        # convert ran its own forward check on the pair and it passed.
        self.assertIn("forward check", out)
        self.assertIn("verify: OK", out)
        with open(report) as f:
            self.assertTrue(json.load(f)["verify"]["pass"])
        return pth, py

    def verify(self, h5, pth):
        proc = ors.run_cli(["verify", h5, pth], timeout=300)
        return proc.returncode, proc.stdout.decode() + proc.stderr.decode()

    def check(self, name, build, output_channels_first=True, oracle_required=True):
        """Converts the model and checks the pair with verify, then compares real torch running
        the generated module with the Keras oracle. Without the oracle it prints SKIP and skips
        the test (or, with oracle_required=False, returns expected=None for the caller to skip
        after its own oracle-free checks): torch against our own verify alone proves nothing
        about Keras semantics."""
        import numpy as np
        h5, shape = self.write(name, build)
        pth, py = self.convert(h5, name)
        rc, out = self.verify(h5, pth)
        self.assertEqual(rc, 0, out)
        x = seeded_input(shape)
        actual = torch_output(py, pth, x, output_channels_first)
        if ORACLE_SKIP:
            print("SKIP: oracle comparison of %s: %s" % (name, ORACLE_SKIP))
            if oracle_required:
                self.skipTest(ORACLE_SKIP)
            return h5, pth, py, x, None
        expected = keras_oracle.outputs(h5, x, self.tmp)[0]
        self.assertEqual(actual.shape, expected.shape)
        diff = float(np.max(np.abs(actual - expected)))
        print("%s: output %s, max abs diff torch vs Keras oracle %.3g (|y| max %.3g)"
              % (name, expected.shape, diff, float(np.max(np.abs(expected)))))
        self.assertGreater(float(np.max(np.abs(expected))), 0.1, "the output is all ~0")
        self.assertLessEqual(diff, TOLERANCE)
        return h5, pth, py, x, expected

    def test_conv2d_transpose(self):
        self.check("conv2d_transpose", transpose_model)

    def test_depthwise_conv2d(self):
        import numpy as np
        _, _, _, x, expected = self.check("depthwise_conv2d", depthwise_model)
        # The NumPy reference used for the dilated model agrees with the oracle here.
        _, layers, weights = depthwise_model(np.random.RandomState(len("depthwise_conv2d")))
        diff = float(np.max(np.abs(keras_depthwise_reference(x, layers, weights) - expected)))
        print("depthwise_conv2d: NumPy Keras reference vs the oracle %.3g" % diff)
        self.assertLessEqual(diff, TOLERANCE)

    def test_separable_conv2d(self):
        self.check("separable_conv2d", separable_model)

    def test_layer_normalization(self):
        # The last LayerNorm leaves the generated module's output channels-last.
        self.check("layer_normalization", layernorm_model, output_channels_first=False)

    def test_dilated_depthwise_against_numpy_reference(self):
        """TensorFlow.js ignores DepthwiseConv2D's dilation_rate (tfjs-layers 4.22
        DepthwiseConv2D.call passes null for it: "TODO(cais): Add support for dilation"), so
        the oracle computes an undilated layer. The Keras semantics reference for the dilated
        model is keras_depthwise_reference (NumPy, float64) instead."""
        import numpy as np
        build = lambda rng: depthwise_model(rng, dilation=2)  # noqa: E731
        h5, shape = self.write("depthwise_dilated", build)
        pth, py = self.convert(h5, "depthwise_dilated")
        rc, out = self.verify(h5, pth)
        self.assertEqual(rc, 0, out)
        x = seeded_input(shape)
        _, layers, weights = build(np.random.RandomState(len("depthwise_dilated")))
        expected = keras_depthwise_reference(x, layers, weights)
        actual = torch_output(py, pth, x)
        self.assertEqual(actual.shape, expected.shape)
        self.assertEqual(expected.shape, (BATCH, 11 - 2, 11 - 4, 6))  # dilation 2: 2x3 -> 3x5
        diff = float(np.max(np.abs(actual - expected)))
        print("depthwise_dilated: max abs diff torch vs NumPy Keras reference %.3g" % diff)
        self.assertLessEqual(diff, TOLERANCE)

    def test_depthwise_wrong_axis_order_is_caught(self):
        """Negative control: the depthwise weight's channels taken in (m, C) instead of (C, m)
        order (as if the Keras kernel's last two axes were swapped) -- verify and the oracle
        comparison must both disagree."""
        import numpy as np
        import torch
        h5, pth, py, x, expected = self.check("depthwise_control", depthwise_model,
                                              oracle_required=False)
        state = torch.load(pth, weights_only=True)
        w = state["dw_same.weight"]  # (C*m, 1, kh, kw), channel c*m + j
        channels, multiplier = 3, 2
        state["dw_same.weight"] = (w.reshape(channels, multiplier, 1, 3, 3).transpose(0, 1)
                                   .reshape(channels * multiplier, 1, 3, 3).contiguous())
        broken = os.path.join(self.tmp, "depthwise_broken.pth")
        torch.save(state, broken)
        rc, out = self.verify(h5, broken)
        self.assertEqual(rc, 3, out)
        self.assertIn("verify: DIFFERENT", out)
        self.assertIn("beyond it: Keras dw_same <-> PyTorch dw_same", out)
        if expected is None:
            self.skipTest(ORACLE_SKIP)  # verify caught it; the oracle half cannot run
        diff = float(np.max(np.abs(torch_output(py, broken, x) - expected)))
        print("depthwise with the wrong channel order: max abs diff vs the oracle %.3g" % diff)
        self.assertGreater(diff, 100 * TOLERANCE)


if __name__ == "__main__":
    unittest_main.main()
