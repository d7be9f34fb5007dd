# SPDX-License-Identifier: GPL-3.0-or-later
"""`weightsmith-cli convert` Keras -> PyTorch, proved by forward passes in the real engines.

For each real Keras file: convert to a state_dict plus generated nn.Module source, build that
module in real torch (Debian's torch 1.13), load the export with strict=True, and compare its
output with the Keras oracle's (TensorFlow.js reading the original .h5: `node oracle.mjs`) on
the same seeded inputs. Negative controls apply a deliberately wrong rule (test-only
--debug-break-rule) and must make the comparison fail; every refusal's message is checked.

Env: WS_CLI, WS_FIXTURES (ctest), WS_KERAS_ORACLE = the keras-oracle folder with node_modules
installed (prints SKIP for the oracle comparisons when absent). Run with /usr/bin/python3.
"""
import importlib.util
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

# file -> (Keras input shape without batch, input kind, layout the generated module takes)
#   kind "float": standard normal floats; ("ids", n): integer ids in [0, n)
#   layout "cl": same as Keras (batch-first sequences); "cf": channels moved to axis 1
CASES = {
    "lstm_stacked_timeseries_keras2.h5": ((100, 1), "float", "cl"),
    "lstm_stacked_timeseries_keras3.h5": ((60, 1), "float", "cl"),
    "gru_stacked_timeseries_keras3.h5": ((60, 1), "float", "cl"),
    "gru_relu_keras240_iwillbeaprogramer.h5": ((10, 1), "float", "cl"),
    "bidirectional_lstm_keras2_1.h5": ((4, 10), "float", "cl"),
    "embedding_lstm_keras2_1.h5": ((10,), ("ids", 4), "cl"),
    "cnn_bn_keras2_alexfox.h5": ((130, 13, 1), "float", "cf"),
    "conv1d_globalpool_keras3.h5": ((60, 4), "float", "cf"),
    # Beyond the acceptance list: Theano-backend kernels (flipped), Keras 2 hard_sigmoid LSTM
    # from a Theano file, another Keras 3 stacked LSTM.
    "conv2d_full_model_keras2_theano.h5": ((5, 5, 5), "float", "cf"),
    "lstm_full_model_keras2_theano.h5": ((4, 1), "float", "cl"),
    "lstm2_keras3_arthaaaaa.h5": ((60, 1), "float", "cl"),
    "conv1d_weights_only_keras2_0.h5": ((10, 4), "float", "cf"),  # 'same' padding, Conv1D+Flatten
    "lstm2_hardsig_keras224_weights_mikniloes.h5": ((192, 4), "float", "cl"),
    "lstm_relu_keras212_weights_rishigupta.h5": ((3, 1), "float", "cl"),
    "mlp_leakyrelu_keras206_weights_vyomshm.h5": ((9,), "float", "cl"),
}
# Weights-only files: the architecture JSON (model.to_json()) given to both sides.
CONFIGS = {
    "conv1d_weights_only_keras2_0.h5": "conv1d_weights_only_keras2_0.arch.json",
    "lstm2_hardsig_keras224_weights_mikniloes.h5": "lstm2_hardsig_keras224_mikniloes.json",
    "lstm_relu_keras212_weights_rishigupta.h5": "lstm_relu_keras212_rishigupta.json",
    "mlp_leakyrelu_keras206_weights_vyomshm.h5": "mlp_leakyrelu_keras206_vyomshm.json",
}
# The acceptance list: absolute tolerance. The other files are compared relative to
# their output magnitude (mlp_leakyrelu outputs ~5e3, where float32 spacing is 4.9e-4).
ACCEPTANCE = {
    "lstm_stacked_timeseries_keras2.h5", "lstm_stacked_timeseries_keras3.h5",
    "gru_stacked_timeseries_keras3.h5", "gru_relu_keras240_iwillbeaprogramer.h5",
    "bidirectional_lstm_keras2_1.h5", "embedding_lstm_keras2_1.h5", "cnn_bn_keras2_alexfox.h5",
    "conv1d_globalpool_keras3.h5",
}
# Models whose output keeps spatial axes: the generated module returns them channels-first.
OUTPUT_CHANNELS_FIRST = {"conv2d_full_model_keras2_theano.h5"}
BATCH = 4
# Intermediate Dense layers also compared (oracle --layer vs a torch forward hook on the module
# of the same name): conv1d_globalpool's sigmoid output saturates at 0 for any input we tried,
# so its final output alone would prove nothing; cnn_bn's first Dense reads the Flatten.
PROBES = {
    "conv1d_globalpool_keras3.h5": ["dense_15"],
    "cnn_bn_keras2_alexfox.h5": ["dense"],
    "gru_relu_keras240_iwillbeaprogramer.h5": ["dense_77"],  # later ReLUs clamp some outputs
}


def keras_file(name):
    return os.path.join(ors.FIXTURES, "keras", name)


def seeded_input(name):
    import numpy as np
    shape, kind, _ = CASES[name]
    rng = np.random.RandomState(20261129)
    if kind == "float":
        return rng.standard_normal((BATCH,) + shape).astype(np.float32)
    return rng.randint(0, kind[1], size=(BATCH,) + shape).astype(np.float32)


def tolerance(name):
    shape = CASES[name][0]
    sequence_steps = shape[0] if len(shape) == 2 and CASES[name][2] == "cl" else 0
    return 1e-4 if sequence_steps > 50 else 1e-5


def run_oracle(model_path, x, workdir, layers=(), config=None):
    """The oracle's final output, or the outputs of `layers` (a list) when given."""
    extra = ["--config", config] if config else []
    for layer in layers:
        extra += ["--layer", layer]
    arrays = keras_oracle.outputs(model_path, x, workdir, extra)
    return arrays if layers else arrays[0]


def keras_activation(model_path, layer):
    """The layer's activation name read from the file's config with h5py (not our reader)."""
    import h5py
    with h5py.File(model_path, "r") as f:
        config = json.loads(f.attrs["model_config"])
    layers = config["config"]["layers"] if isinstance(config["config"], dict) else config["config"]
    for entry in layers:
        if entry["config"].get("name") == layer:
            return entry["config"].get("activation", "linear")
    raise AssertionError("no layer %s in %s" % (layer, model_path))


def torch_output(module_path, pth_path, x, layout, probes=()):
    """Builds the generated module in real torch, loads the export strictly, runs x. With
    probes, also returns the outputs of those submodules (forward hooks) in a dict."""
    import numpy as np
    import torch
    spec = importlib.util.spec_from_file_location("ws_generated_%d" % id(x), module_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.ConvertedModel()  # constructs without arguments
    state = torch.load(pth_path, weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    if layout == "cf":
        x = np.moveaxis(x, -1, 1)
    seen = {}
    for name in probes:
        getattr(model, name).register_forward_hook(
            lambda _m, _i, out, name=name: seen.__setitem__(name, out.double().numpy()))
    with torch.no_grad():
        y = model(torch.from_numpy(np.ascontiguousarray(x)))
    return y.double().numpy(), mod, seen


def convert(src, workdir, extra=()):
    pth = os.path.join(workdir, "model.pth")
    py = os.path.join(workdir, "model.py")
    report = os.path.join(workdir, "report.json")
    proc = ors.run_cli(["convert", src, "-o", pth, "--emit-module", py, "--report-json", report]
                       + list(extra), timeout=300)
    return proc, pth, py, report


class ConvertMatchesOracle(unittest.TestCase):
    results = {}

    def setUp(self):
        if ORACLE_SKIP:
            self.skipTest(ORACLE_SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_convert_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def compare(self, name, extra=(), config=None, expect_rc=0):
        """expect_rc: convert's exit status; its own forward check (verify) makes it 3 when a
        wrong rule was applied. Returns (max abs diff vs the oracle, |y| max)."""
        import numpy as np
        src = keras_file(name)
        if not os.path.isfile(src):
            self.skipTest("fixture %s is absent" % name)
        if config is None and name in CONFIGS:
            config = keras_file(CONFIGS[name])
        proc, pth, py, report = convert(src, self.tmp, list(extra) + (["--config", config] if config else []))
        self.assertEqual(proc.returncode, expect_rc, proc.stderr.decode())
        self.convert_output = proc.stdout.decode() + proc.stderr.decode()
        with open(report) as f:
            doc = json.load(f)
        self.assertTrue(doc["layers"], "empty mapping report")
        self.verify_report = doc.get("verify", {})
        x = seeded_input(name)
        expected = run_oracle(src, x, self.tmp, config=config)
        if name in OUTPUT_CHANNELS_FIRST:
            expected = np.moveaxis(expected, -1, 1)
        probes = PROBES.get(name, [])
        actual, mod, seen = torch_output(py, pth, x, CASES[name][2], probes)
        self.assertEqual(actual.shape, expected.shape)
        doc = mod.__doc__ or ""
        self.assertIn("channels-first" if CASES[name][2] == "cf" else "(N, ", doc)
        diff, scale = float(abs(actual - expected).max()), float(abs(expected).max())
        self.probe_diffs = []
        if probes:
            activations = {"relu": lambda a: a.clip(min=0), "linear": lambda a: a}
            for layer, want in zip(probes, run_oracle(src, x, self.tmp, probes)):
                got = activations[keras_activation(src, layer)](seen[layer])
                self.assertEqual(got.shape, want.shape)
                d = float(abs(got - want).max())
                print("  %s layer %s: max abs diff %.3g (|y| max %.3g)" % (name, layer, d, abs(want).max()))
                self.assertGreater(abs(want).max(), 0.0, "probe %s is all zeros" % layer)
                self.probe_diffs.append((layer, d, float(abs(want).max())))
        return diff, scale

    def check(self, name):
        diff, scale = self.compare(name)
        allowed = tolerance(name) * (1.0 if name in ACCEPTANCE else max(1.0, scale))
        print("%s: max abs diff %.3g (|y| max %.3g, tolerance %g)" % (name, diff, scale, allowed))
        self.assertLessEqual(diff, allowed)
        # Hidden activations can be large (|y| ~ 70: float32 spacing there is 7.6e-6), so they
        # get the same tolerance relative to their magnitude.
        for layer, d, magnitude in self.probe_diffs:
            self.assertLessEqual(d, tolerance(name) * max(1.0, magnitude), layer)

    def test_lstm_stacked_keras2(self):
        self.check("lstm_stacked_timeseries_keras2.h5")

    def test_lstm_stacked_keras3(self):
        self.check("lstm_stacked_timeseries_keras3.h5")

    def test_gru_stacked_keras3(self):
        self.check("gru_stacked_timeseries_keras3.h5")

    def test_gru_relu_keras240(self):
        self.check("gru_relu_keras240_iwillbeaprogramer.h5")

    def test_bidirectional_lstm(self):
        self.check("bidirectional_lstm_keras2_1.h5")

    def test_embedding_lstm_hard_sigmoid(self):
        self.check("embedding_lstm_keras2_1.h5")

    def test_cnn_bn_flatten_dense(self):
        self.check("cnn_bn_keras2_alexfox.h5")

    def test_conv1d_globalpool(self):
        self.check("conv1d_globalpool_keras3.h5")

    def test_theano_conv_kernels_flipped(self):
        self.check("conv2d_full_model_keras2_theano.h5")

    def test_theano_lstm_hard_sigmoid(self):
        self.check("lstm_full_model_keras2_theano.h5")

    def test_conv1d_same_padding_weights_only(self):
        self.check("conv1d_weights_only_keras2_0.h5")

    def test_stacked_hard_sigmoid_lstm_weights_only(self):
        self.check("lstm2_hardsig_keras224_weights_mikniloes.h5")

    def test_relu_lstm_weights_only(self):
        self.check("lstm_relu_keras212_weights_rishigupta.h5")

    def test_mlp_leaky_relu_weights_only(self):
        self.check("mlp_leakyrelu_keras206_weights_vyomshm.h5")

    def test_keras3_hard_sigmoid_definition(self):
        """Keras 3 redefined hard_sigmoid (relu6(x + 3) / 6): the same Keras 3 file with its LSTM
        recurrent_activation switched to hard_sigmoid must still match the oracle, which applies
        the Keras 3 definition to files written by Keras >= 3."""
        import h5py
        name = "lstm_stacked_timeseries_keras3.h5"
        with h5py.File(keras_file(name), "r") as f:
            config = json.loads(f.attrs["model_config"])
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "LSTM":
                layer["config"]["recurrent_activation"] = "hard_sigmoid"
        arch = os.path.join(self.tmp, "hard_sigmoid_keras3.json")
        with open(arch, "w") as f:
            json.dump(config, f)
        diff, scale = self.compare(name, config=arch)
        with open(os.path.join(self.tmp, "model.py")) as f:
            self.assertIn("F.relu6(x + 3.0) / 6.0", f.read())
        print("%s with hard_sigmoid (Keras 3): max abs diff %.3g (|y| max %.3g)" % (name, diff, scale))
        self.assertLessEqual(diff, tolerance(name))

    def test_lstm2_keras3(self):
        self.check("lstm2_keras3_arthaaaaa.h5")

    # Negative controls: a wrong rule must be caught by the same comparison.
    def test_gru_without_gate_swap_disagrees(self):
        name = "gru_stacked_timeseries_keras3.h5"
        diff, _ = self.compare(name, ["--debug-break-rule", "gru-no-gate-swap"], expect_rc=3)
        print("%s with gru-no-gate-swap: max abs diff %.3g" % (name, diff))
        self.assertGreater(diff, 100 * tolerance(name))
        # convert's own forward check caught it and names the GRU layer first.
        self.assertIn("forward check failed: Keras gru_1 <-> PyTorch gru (layer 2 of 2)",
                      self.convert_output)
        self.assertFalse(self.verify_report["pass"])
        self.assertEqual(self.verify_report["failing"][0],
                         "Keras gru_1 <-> PyTorch gru (layer 2 of 2)")

    def test_lstm_bias_not_split_disagrees(self):
        name = "lstm_stacked_timeseries_keras3.h5"
        diff, _ = self.compare(name, ["--debug-break-rule", "lstm-bias-copied"], expect_rc=3)
        print("%s with lstm-bias-copied: max abs diff %.3g" % (name, diff))
        self.assertGreater(diff, 100 * tolerance(name))
        self.assertIn("forward check failed:", self.convert_output)
        self.assertFalse(self.verify_report["pass"])


class ConvertRefusalsAndReport(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_convert_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_gru_reset_after_false_refused(self):
        src = keras_file("embedding_gru_timedistributed_weights_only_keras1.h5")
        arch = keras_file("embedding_gru_timedistributed_weights_only_keras1.arch.json")
        proc, pth, py, _ = convert(src, self.tmp, ["--config", arch])
        self.assertEqual(proc.returncode, 1)
        err = proc.stderr.decode()
        self.assertIn("GRU layer 'gru_1' has reset_after=False", err)
        self.assertIn("torch.nn.GRU cannot compute", err)
        self.assertFalse(os.path.exists(pth) or os.path.exists(py))

    def test_unknown_preflatten_shape_refused(self):
        import h5py
        src = keras_file("cnn_bn_keras2_alexfox.h5")
        with h5py.File(src, "r") as f:
            config = json.loads(f.attrs["model_config"])
        layers = config["config"]["layers"]
        config["config"]["layers"] = [l for l in layers if l["class_name"] != "InputLayer"]
        for l in config["config"]["layers"]:
            l["config"].pop("batch_input_shape", None)
        arch = os.path.join(self.tmp, "no_input_shape.json")
        with open(arch, "w") as f:
            json.dump(config, f)
        proc, pth, _, _ = convert(src, self.tmp, ["--config", arch])
        self.assertEqual(proc.returncode, 1)
        err = proc.stderr.decode()
        self.assertIn("Dense layer 'dense' follows Flatten 'flatten' but the shape before the "
                      "Flatten is unknown", err)
        self.assertFalse(os.path.exists(pth))

    def test_hard_sigmoid_is_reported(self):
        src = keras_file("embedding_lstm_keras2_1.h5")
        proc, _, py, report = convert(src, self.tmp)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        out = proc.stdout.decode()
        self.assertIn("hard_sigmoid is Keras 2's clip(0.2x + 0.5, 0, 1)", out)
        self.assertIn("torch.nn.LSTM cannot compute", proc.stderr.decode())
        with open(report) as f:
            rep = json.load(f)
        self.assertTrue(any("hard_sigmoid" in w for w in rep["warnings"]))
        with open(py) as f:
            self.assertIn("torch.clamp(0.2 * x + 0.5, 0.0, 1.0)", f.read())

    def test_mapping_report_names_and_shapes(self):
        """The state_dict keys, shapes and values follow the documented rules, checked by torch
        and h5py directly (not through our reader)."""
        import h5py
        import numpy as np
        import torch
        src = keras_file("gru_stacked_timeseries_keras3.h5")
        proc, pth, _, report = convert(src, self.tmp)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        sd = torch.load(pth, weights_only=True)
        with h5py.File(src, "r") as f:
            g = f["model_weights/gru/sequential_1/gru/gru_cell"]
            kernel, rec, bias = g["kernel"][()], g["recurrent_kernel"][()], g["bias"][()]
        h = 50
        swap = lambda a: np.concatenate([a[h:2 * h], a[:h], a[2 * h:]])  # z,r,h -> r,z,n
        np.testing.assert_array_equal(sd["gru.weight_ih_l0"].numpy(), swap(kernel.T))
        np.testing.assert_array_equal(sd["gru.weight_hh_l0"].numpy(), swap(rec.T))
        np.testing.assert_array_equal(sd["gru.bias_ih_l0"].numpy(), swap(bias[0]))
        np.testing.assert_array_equal(sd["gru.bias_hh_l0"].numpy(), swap(bias[1]))
        with open(report) as f:
            rep = json.load(f)
        first = rep["layers"][0]
        self.assertEqual(first["source_layer"], "gru")
        self.assertEqual(first["tensors"][0]["target"], "gru.weight_ih_l0")
        self.assertEqual(first["tensors"][0]["target_shape"], [150, 1])
        self.assertIn("gates z,r,h -> r,z,n", first["tensors"][0]["transform"])

    def expect_refusal(self, name, message, extra=(), config=None):
        src = keras_file(name)
        if not os.path.isfile(src):
            self.skipTest("fixture %s is absent" % name)
        if config is not None:
            arch = os.path.join(self.tmp, "arch.json")
            with open(arch, "w") as f:
                json.dump(config, f)
            extra = list(extra) + ["--config", arch]
        proc, pth, py, _ = convert(src, self.tmp, extra)
        self.assertEqual(proc.returncode, 1, proc.stdout.decode())
        self.assertIn(message, proc.stderr.decode())
        self.assertFalse(os.path.exists(pth) or os.path.exists(py), "refused but wrote output")

    def file_config(self, name):
        import h5py
        with h5py.File(keras_file(name), "r") as f:
            return json.loads(f.attrs["model_config"])

    def test_channels_first_refused(self):
        with open(keras_file("cnn_mnist_weights_only_keras1_th.arch.json")) as f:
            config = json.load(f)
        self.expect_refusal("cnn_mnist_weights_only_keras1_th.h5",
                            "computes channels_first (Theano dim_ordering 'th')", config=config)

    def test_nested_model_refused(self):
        self.expect_refusal("nested_sequential_mobilenetv2_teachable_machine_keras2.h5",
                            "layer 'sequential_1' is a nested model (Sequential)")

    def test_branching_model_with_flatten_refused(self):
        self.expect_refusal("resnet8_cifar10_batchnorm_keras2.h5",
                            "the model is not a chain of layers (layer 'add' is called more than "
                            "once or has several inputs) and has a Flatten")

    def test_layer_without_rule_refused(self):
        self.expect_refusal("qkeras_dense_3layer_keras3.keras",
                            "layer 'fc1' (QDense) has weights but no conversion rule")

    def test_grouped_convolution_refused(self):
        with open(keras_file("conv1d_weights_only_keras2_0.arch.json")) as f:
            config = json.load(f)
        for layer in config["config"]["layers"]:
            if layer["config"]["name"] == "conv1_relu":
                layer["config"]["groups"] = 2
        self.expect_refusal("conv1d_weights_only_keras2_0.h5",
                            "layer 'conv1_relu' is a grouped convolution (groups=2)", config=config)

    def test_time_major_rnn_refused(self):
        config = self.file_config("lstm_stacked_timeseries_keras2.h5")
        config["config"]["layers"][1]["config"]["time_major"] = True
        self.expect_refusal("lstm_stacked_timeseries_keras2.h5",
                            "recurrent layer 'lstm' is time-major", config=config)

    def test_batchnorm_on_other_axis_refused(self):
        config = self.file_config("cnn_bn_keras2_alexfox.h5")
        for layer in config["config"]["layers"]:
            if layer["config"]["name"] == "batch_normalization":
                layer["config"]["axis"] = [1]
        self.expect_refusal("cnn_bn_keras2_alexfox.h5",
                            "BatchNormalization layer 'batch_normalization' normalizes axis 1, "
                            "not the channels axis", config=config)

    def test_emit_module_needs_a_chain(self):
        # Two outputs: the state_dict converts, the generated module is refused.
        name = "lstm_functional_keras3.keras"
        proc = ors.run_cli(["convert", keras_file(name), "-o", os.path.join(self.tmp, "ok.pth")])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.expect_refusal(name, "--emit-module needs a Sequential or chain-shaped model: layer "
                                  "'dropout_5' feeds more than one layer")

    def test_emit_module_unknown_layer_refused(self):
        self.expect_refusal("embedding_lstm_textvectorization_keras3.h5",
                            "--emit-module: layer 'text_vectorization' (TextVectorization): no "
                            "generated PyTorch code for TextVectorization yet")

    def test_emit_module_unknown_activation_refused(self):
        config = self.file_config("cnn_bn_keras2_alexfox.h5")
        config["config"]["layers"][-1]["config"]["activation"] = "my_custom_activation"
        self.expect_refusal("cnn_bn_keras2_alexfox.h5",
                            "--emit-module: layer 'dense_1' (Dense): activation "
                            "'my_custom_activation' has no PyTorch counterpart", config=config)

    def test_pytorch_source_refused(self):
        src = os.path.join(ors.FIXTURES, "pytorch")
        files = sorted(f for f in os.listdir(src) if f.endswith(".pth")) if os.path.isdir(src) else []
        if not files:
            self.skipTest("no PyTorch fixture")
        proc, _, _, _ = convert(os.path.join(src, files[0]), self.tmp)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("convert reads Keras files", proc.stderr.decode())


if __name__ == "__main__":
    if SKIP:
        print("SKIP: " + SKIP)
    elif ORACLE_SKIP:
        print("SKIP: oracle comparisons: " + ORACLE_SKIP)
    unittest_main.main()
