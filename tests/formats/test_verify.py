#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`weightsmith-cli verify A B`: both models on the same seeded input, each under its own
framework's semantics (the dlopen'ed libtorch module), compared layer by layer.

- Keras fixtures converted with `convert X.h5 -o X.pth` verify OK against their source; the
  convert command's deliberately wrong rules (negative controls) make verify fail.
- verify itself is checked by real engines on the input it used (`--save-io`): its Keras-semantics
  output against the Keras oracle (TensorFlow.js reading the .h5; WS_KERAS_ORACLE, SKIP when
  unset) and its PyTorch-semantics output against real torch running the generated nn.Module on
  the same state_dict in float64 -- also for a wrongly converted file, so the PyTorch side is
  shown to compute what torch computes, not what Keras does.
- `verify` loads libtorch (through the module) while `inspect` still does not (LD_DEBUG=libs).

Env: WS_CLI, WS_FIXTURES (ctest), WS_KERAS_ORACLE. Run with /usr/bin/python3.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_oracle  # noqa: E402
import oracle_support as ors  # noqa: E402
import unittest_main  # noqa: E402

MODULE_FILE = "libweightsmith_torch.so"
LSTM = "lstm_stacked_timeseries_keras3.h5"
GRU = "gru_stacked_timeseries_keras3.h5"
CNN = "cnn_bn_keras2_alexfox.h5"
BIDI = "bidirectional_lstm_keras2_1.h5"  # Keras 2 hard_sigmoid: torch side = KerasRecurrent
EMBED = "embedding_lstm_keras2_1.h5"  # token-id input
THEANO_CONV = "conv2d_full_model_keras2_theano.h5"  # kernels Keras flips on load
# Layout the generated module takes: "cf" = channels moved to axis 1 (images).
LAYOUT = {LSTM: "cl", GRU: "cl", CNN: "cf", BIDI: "cl", EMBED: "cl", THEANO_CONV: "cf"}
# Models whose output keeps spatial axes: the generated module returns them channels-first.
OUTPUT_CHANNELS_FIRST = {THEANO_CONV}
# The rest of the acceptance list, and beyond it: converted files that must verify OK.
MORE_FILES = ["lstm_stacked_timeseries_keras2.h5", "gru_relu_keras240_iwillbeaprogramer.h5", BIDI,
              EMBED, "conv1d_globalpool_keras3.h5", THEANO_CONV, "lstm_full_model_keras2_theano.h5"]
TORCH_LIB = re.compile(r"lib(torch[a-z_]*|c10[a-z_]*)\.so")
OUTPUT_LINE = re.compile(r"^\s+output\s+max abs (\S+)\s+max rel (\S+)", re.M)
# Labels name each side's framework and layer: "Keras lstm_1 <-> PyTorch rnn (layer 2 of 2)".
LAYER_LINE = re.compile(r"^\s+(\S.* <-> .*?)\s+max abs (\S+)\s+max rel (\S+).*\b(ok|FAIL)$", re.M)


def module_path():
    if os.environ.get("WS_TORCH_MODULE"):
        return os.environ["WS_TORCH_MODULE"]
    return os.path.join(os.path.dirname(ors.CLI), MODULE_FILE)


def skip_reason():
    reason = ors.skip_reason()
    if reason:
        return reason
    if not os.path.isfile(module_path()):
        return "the libtorch module %s was not built (WS_BUILD_TORCH_MODULE off?)" % module_path()
    return None


SKIP = skip_reason()


def keras_file(name):
    return os.path.join(ors.FIXTURES, "keras", name)


def loaded_libraries(cmd):
    """Shared objects the dynamic loader initialised while running cmd (sees dlopen too)."""
    env = dict(os.environ, LD_DEBUG="libs")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300)
    libs = set(re.findall(r"calling init: (\S+)", proc.stderr.decode(errors="replace")))
    return proc.returncode, libs


def output_difference(stdout):
    m = OUTPUT_LINE.search(stdout)
    if not m:
        raise AssertionError("no output line in verify's report:\n" + stdout)
    return float(m.group(1))


def read_array(doc):
    import numpy as np
    return np.array(doc["data"], dtype=np.float64).reshape(doc["shape"])


class VerifyCase(unittest.TestCase):
    def setUp(self):
        if SKIP:
            print("SKIP: " + SKIP)
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_verify_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def source(self, name):
        path = keras_file(name)
        if not os.path.isfile(path):
            self.skipTest("fixture %s is absent" % name)
        return path

    def convert(self, name, extra=(), module=False):
        out = os.path.join(self.tmp, name.replace(".h5", "") + "_".join([""] + list(extra)) + ".pth")
        py = os.path.join(self.tmp, "model_%d.py" % len(os.listdir(self.tmp)))
        # --no-verify: these tests run `verify` themselves (and convert a deliberately broken
        # file, which convert's own check would turn into exit status 3).
        args = ["convert", self.source(name), "-o", out, "--no-verify"] + list(extra)
        if module:
            args += ["--emit-module", py]
        proc = ors.run_cli(args, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return (out, py) if module else out

    def verify(self, a, b, extra=()):
        proc = ors.run_cli(["verify", a, b] + list(extra), timeout=600)
        return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


class ConvertedModelsVerify(VerifyCase):
    def check_ok(self, name):
        src = self.source(name)
        pth = self.convert(name)
        rc, out, err = self.verify(src, pth)
        diff = output_difference(out)
        layers = LAYER_LINE.findall(out)
        print("%s: output max abs diff %.3g over %d paired layers" % (name, diff, len(layers)))
        self.assertEqual(rc, 0, out + err)
        self.assertIn("verify: OK", out)
        self.assertLessEqual(diff, 1e-5)
        self.assertTrue(layers, "no per-layer lines:\n" + out)
        self.assertTrue(all(status == "ok" for _, _, _, status in layers), out)
        # The order of A and B does not matter.
        rc, out, err = self.verify(pth, src)
        self.assertEqual(rc, 0, out + err)

    def test_lstm_stacked_keras3(self):
        self.check_ok(LSTM)

    def test_gru_stacked_keras3(self):
        self.check_ok(GRU)

    def test_cnn_bn_keras2(self):
        self.check_ok(CNN)
        # Every weighted layer is compared, BN and the Dense reading the Flatten included.
        rc, out, _ = self.verify(self.source(CNN), self.convert(CNN))
        labels = [label for label, _, _, _ in LAYER_LINE.findall(out)]
        for layer in ("conv2d", "batch_normalization_2", "dense", "dense_1"):
            self.assertIn("Keras %s <-> PyTorch %s" % (layer, layer), labels)

    def test_more_converted_files(self):
        for name in MORE_FILES:
            with self.subTest(file=name):
                self.check_ok(name)

    def check_broken(self, name, rule):
        src = self.source(name)
        rc, out, err = self.verify(src, self.convert(name, ["--debug-break-rule", rule]))
        diff = output_difference(out)
        print("%s with %s: output max abs diff %.3g, exit %d" % (name, rule, diff, rc))
        self.assertEqual(rc, 3, out + err)
        self.assertIn("verify: DIFFERENT", out)
        self.assertGreater(diff, 1e-3)
        self.assertIn("FAIL", out)

    def test_gru_without_gate_swap_fails(self):
        self.check_broken(GRU, "gru-no-gate-swap")

    def test_lstm_bias_copied_fails(self):
        self.check_broken(LSTM, "lstm-bias-copied")

    def test_tolerance_decides_the_exit_status(self):
        # A broken conversion passes only when the tolerance is absurdly loose.
        src = self.source(GRU)
        broken = self.convert(GRU, ["--debug-break-rule", "gru-no-gate-swap"])
        rc, out, _ = self.verify(src, broken, ["--tolerance", "10"])
        self.assertEqual(rc, 0, out)

    def test_seed_changes_the_input(self):
        src = self.source(LSTM)
        pth = self.convert(LSTM)
        inputs = []
        for seed in ("1", "1", "2"):
            io_path = os.path.join(self.tmp, "io_%s_%d.json" % (seed, len(inputs)))
            rc, out, err = self.verify(src, pth, ["--seed", seed, "--save-io", io_path])
            self.assertEqual(rc, 0, out + err)
            with open(io_path) as f:
                inputs.append(json.load(f)["input"]["data"])
        self.assertEqual(inputs[0], inputs[1])
        self.assertNotEqual(inputs[0], inputs[2])


class VerifyMatchesRealEngines(VerifyCase):
    """The two semantics verify implements, checked against the engines they imitate."""

    def save_io(self, src, pth, extra=()):
        io_path = os.path.join(self.tmp, "io.json")
        rc, out, err = self.verify(src, pth, ["--save-io", io_path] + list(extra))
        self.assertIn(rc, (0, 3), out + err)
        with open(io_path) as f:
            io = json.load(f)
        self.assertEqual(io["a"]["semantics"], "keras")
        self.assertEqual(io["b"]["semantics"], "torch")
        return io

    def keras_oracle(self, name):
        import numpy as np
        reason = keras_oracle.unavailable_reason()
        if reason:
            print("SKIP: " + reason)
            self.skipTest(reason)
        src = self.source(name)
        io = self.save_io(src, self.convert(name))
        x = read_array(io["input"]).astype(np.float32)
        expected = keras_oracle.outputs(src, x, self.tmp)[0]
        ours = read_array(io["a"]["output"])
        self.assertEqual(ours.shape, expected.shape)
        diff = float(abs(ours - expected).max())
        # The oracle computes in float32; 60-step recurrences accumulate its rounding.
        # float32 spacing grows with the magnitude (the Theano model's outputs reach ~3.5e3).
        allowed = (1e-4 if LAYOUT[name] == "cl" else 1e-5) * max(1.0, float(abs(expected).max()))
        print("%s: verify's Keras semantics vs Keras oracle: max abs diff %.3g (|y| max %.3g)"
              % (name, diff, float(abs(expected).max())))
        self.assertLessEqual(diff, allowed)
        self.assertGreater(float(abs(expected).max()), 0.0)

    def test_keras_semantics_match_oracle_lstm(self):
        self.keras_oracle(LSTM)

    def test_keras_semantics_match_oracle_gru(self):
        self.keras_oracle(GRU)

    def test_keras_semantics_match_oracle_cnn_bn(self):
        self.keras_oracle(CNN)

    def test_keras_semantics_match_oracle_bidirectional_hard_sigmoid(self):
        self.keras_oracle(BIDI)

    def test_keras_semantics_match_oracle_theano_conv(self):
        self.keras_oracle(THEANO_CONV)

    def real_torch(self, name, extra=()):
        import numpy as np
        src = self.source(name)
        pth, py = self.convert(name, extra, module=True)
        io = self.save_io(src, pth)
        x = read_array(io["input"])
        if LAYOUT[name] == "cf":
            x = np.moveaxis(x, -1, 1)
        expected = ors.run_generated_module(py, pth, x)
        ours = read_array(io["b"]["output"])
        if name in OUTPUT_CHANNELS_FIRST:  # verify reports it channels-last, as Keras has it
            ours = np.moveaxis(ours, -1, 1)
        self.assertEqual(ours.shape, expected.shape)
        diff = float(abs(ours - expected).max())
        print("%s%s: verify's PyTorch semantics vs real torch (float64): max abs diff %.3g"
              % (name, " " + " ".join(extra) if extra else "", diff))
        self.assertLessEqual(diff, 1e-9)
        return io

    def test_torch_semantics_match_real_torch_lstm(self):
        self.real_torch(LSTM)

    def test_torch_semantics_match_real_torch_gru(self):
        self.real_torch(GRU)

    def test_torch_semantics_match_real_torch_cnn_bn(self):
        self.real_torch(CNN)

    def test_torch_semantics_match_real_torch_keras_recurrent(self):
        self.real_torch(BIDI)

    def test_torch_semantics_match_real_torch_embedding(self):
        self.real_torch(EMBED)

    def test_torch_semantics_match_real_torch_theano_conv(self):
        self.real_torch(THEANO_CONV)

    def test_torch_semantics_follow_torch_not_keras_on_a_broken_file(self):
        # A GRU converted without the gate swap computes something else in torch; verify's
        # PyTorch side must compute exactly that (and so differ from its Keras side).
        import numpy as np
        io = self.real_torch(GRU, ["--debug-break-rule", "gru-no-gate-swap"])
        keras_side, torch_side = read_array(io["a"]["output"]), read_array(io["b"]["output"])
        self.assertGreater(float(np.abs(keras_side - torch_side).max()), 1e-3)


class VerifyLoadsTheModuleOnly(VerifyCase):
    def test_verify_loads_libtorch_and_inspect_does_not(self):
        src = self.source(LSTM)
        pth = self.convert(LSTM)
        rc, libs = loaded_libraries([ors.CLI, "verify", src, pth])
        self.assertEqual(rc, 0)
        names = sorted(os.path.basename(lib) for lib in libs)
        self.assertIn(MODULE_FILE, names)
        self.assertTrue(any(TORCH_LIB.search(n) for n in names),
                        "verify ran without libtorch? %s" % names)
        rc, libs = loaded_libraries([ors.CLI, "inspect", pth, "--json"])
        self.assertEqual(rc, 0)
        self.assertTrue(libs, "LD_DEBUG=libs reported nothing")
        self.assertEqual([lib for lib in libs if TORCH_LIB.search(os.path.basename(lib))
                          or MODULE_FILE in lib], [])

    def test_cli_does_not_link_the_module(self):
        out = subprocess.run(["ldd", ors.CLI], stdout=subprocess.PIPE, timeout=60).stdout.decode()
        self.assertIn("libc.so", out)
        self.assertNotIn("weightsmith_torch", out)
        self.assertIsNone(TORCH_LIB.search(out))

    def test_missing_module_is_a_clear_error(self):
        src = self.source(LSTM)
        pth = self.convert(LSTM)
        missing = os.path.join(self.tmp, "nowhere", MODULE_FILE)
        env = dict(os.environ, WS_TORCH_MODULE=missing)
        proc = ors.run_cli(["verify", src, pth], env=env)
        err = proc.stderr.decode()
        self.assertEqual(proc.returncode, 1, err)
        self.assertIn(missing, err)
        self.assertIn("could not be loaded", err)


class VerifyRefusals(VerifyCase):
    def test_usage_errors(self):
        src = self.source(LSTM)
        for args in (["verify"], ["verify", src], ["verify", src, src, "--tolerance", "x"],
                     ["verify", src, src, "--input-shape", "0,1"], ["verify", src, src, "--bogus"]):
            with self.subTest(args=args):
                proc = ors.run_cli(args)
                self.assertEqual(proc.returncode, 2, proc.stderr.decode())

    def test_two_pytorch_files_refused(self):
        pth = self.convert(LSTM)
        proc = ors.run_cli(["verify", pth, pth])
        self.assertEqual(proc.returncode, 1)
        self.assertIn("must be a Keras file", proc.stderr.decode())

    def test_unreadable_input(self):
        bad = os.path.join(self.tmp, "not_a_model.h5")
        with open(bad, "wb") as f:
            f.write(b"not a model at all")
        proc = ors.run_cli(["verify", self.source(LSTM), bad])
        self.assertEqual(proc.returncode, 1)
        self.assertIn("not_a_model.h5", proc.stderr.decode())

    def test_mismatched_models_refused(self):
        # A GRU state_dict cannot stand in for the stacked LSTM.
        proc = ors.run_cli(["verify", self.source(LSTM), self.convert(GRU)])
        self.assertEqual(proc.returncode, 1, proc.stdout.decode())
        self.assertIn("verify:", proc.stderr.decode())

    def test_keras_against_itself_is_identical(self):
        src = self.source(CNN)
        rc, out, err = self.verify(src, src)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(output_difference(out), 0.0)


if __name__ == "__main__":
    unittest_main.main()
