# SPDX-License-Identifier: GPL-3.0-or-later
"""`weightsmith-cli compare A B --json` against metrics computed independently with numpy from
what real torch / h5py read.

Same format: a fixture against a copy with a few elements edited at test time (torch for a
state_dict, h5py for a Keras .h5): every tensor pair's max |A-B|, relative Frobenius norm
||A-B|| / ||B|| and cosine similarity must equal numpy's to ~1e-6 relative, the edited tensors
must be flagged as differing and every other tensor as identical.

Cross format: a Keras fixture against its `weightsmith-cli convert` output must be identical
pair for pair (the conversion only permutes, reorders gate blocks and splits the LSTM bias into
bias + 0, all exact in float32); after one element of the .pth is perturbed with torch, exactly
that tensor pair differs, by exactly the perturbation.

Env: WS_CLI, WS_FIXTURES (ctest). Run with /usr/bin/python3 (torch, h5py, numpy).
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_support as ors  # noqa: E402
import unittest_main  # noqa: E402

SKIP = ors.skip_reason()
try:
    import h5py
    import numpy as np
    import torch
except ImportError as e:  # pragma: no cover - the oracle interpreter has them
    SKIP = SKIP or "oracle libraries missing: %s" % e

REL = 1e-6


def numpy_metrics(a, b):
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    d = a - b
    nb = np.linalg.norm(b)
    na = np.linalg.norm(a)
    rel = np.linalg.norm(d) / nb if nb > 0 else (0.0 if not d.any() else float("inf"))
    cos = float(a @ b) / (na * nb) if na > 0 and nb > 0 else (1.0 if na == nb else 0.0)
    return {"max_abs_diff": float(np.abs(d).max()) if d.size else 0.0,
            "rel_frobenius": float(rel), "cosine": cos,
            "identical": bool(np.array_equal(a.view(np.uint64), b.view(np.uint64)))}


def compare_json(a, b, *extra):
    r = ors.run_cli(["compare", a, b, "--json"] + list(extra), timeout=120)
    if r.returncode not in (0, 3):
        raise AssertionError("compare failed (%d): %s" % (r.returncode, r.stderr.decode()))
    return r.returncode, json.loads(r.stdout)


def tensors_of(report):
    """(layer a, layer b, role) -> tensor entry."""
    out = {}
    for layer in report["layers"]:
        for t in layer["tensors"]:
            out[(layer["a"], layer["b"], t["role"])] = t
    return out


@unittest.skipIf(SKIP, SKIP)
class CompareTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ws_compare_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fixture(self, rel):
        path = os.path.join(ors.FIXTURES, rel)
        if not os.path.isfile(path):
            self.skipTest("SKIP: fixture %s absent" % rel)
        return path

    def assertMetrics(self, got, want, what):
        m = got["metrics"]
        self.assertIsNotNone(m, what)
        for key in ("max_abs_diff", "rel_frobenius", "cosine"):
            self.assertLessEqual(abs(m[key] - want[key]), REL * max(1e-300, abs(want[key])) + 1e-300,
                                 "%s %s: %r vs numpy %r" % (what, key, m[key], want[key]))
        self.assertEqual(got["identical"], want["identical"], what)

    def test_state_dict_against_edited_copy(self):
        src = self.fixture("pytorch/cnn_batchnorm_mnist_state_dict.pt")
        a = torch.load(src, map_location="cpu")
        b = {k: v.clone() for k, v in a.items()}
        b["fc1.weight"][0, 0] += 0.5
        b["fc1.weight"][3, 17] = -2.0
        b["conv1.bias"] *= 1.01
        edited = os.path.join(self.tmp, "edited.pt")
        torch.save(b, edited)
        rc, report = compare_json(src, edited)
        self.assertEqual(rc, 3)
        got = tensors_of(report)
        seen = 0
        for key, tensor in a.items():
            module, role = key.rsplit(".", 1)
            entry = got[(module, module, role)]
            want = numpy_metrics(tensor.double().numpy(), b[key].double().numpy())
            self.assertMetrics(entry, want, key)
            self.assertEqual(entry["identical"], key not in ("fc1.weight", "conv1.bias"), key)
            seen += 1
        self.assertEqual(seen, sum(len(l["tensors"]) for l in report["layers"]))
        self.assertEqual(report["summary"]["unpaired_a"] + report["summary"]["unpaired_b"], 0)

    def test_keras_h5_against_edited_copy(self):
        src = self.fixture("keras/lstm_stacked_timeseries_keras2.h5")
        edited = os.path.join(self.tmp, "edited.h5")
        shutil.copy(src, edited)
        target = None
        with h5py.File(edited, "r+") as f:
            names = []
            f["model_weights"].visititems(
                lambda n, o: names.append("model_weights/" + n) if isinstance(o, h5py.Dataset) else None)
            target = [n for n in names if n.endswith("recurrent_kernel:0")][1]
            f[target][2, 5] = f[target][2, 5] + 0.125
        rc, report = compare_json(src, edited)
        self.assertEqual(rc, 3)
        got = {}
        for layer in report["layers"]:
            for t in layer["tensors"]:
                got[t["path_a"]] = t
        with h5py.File(src, "r") as fa, h5py.File(edited, "r") as fb:
            for path in names:
                want = numpy_metrics(fa[path][()], fb[path][()])
                self.assertIn(path, got)
                self.assertMetrics(got[path], want, path)
                self.assertEqual(got[path]["identical"], path != target, path)

    def convert(self, keras_file):
        out = os.path.join(self.tmp, "converted.pth")
        r = ors.run_cli(["convert", keras_file, "-o", out], timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        return out

    def test_keras_against_its_conversion(self):
        for rel, key, index in (("keras/lstm_stacked_timeseries_keras2.h5", "lstm.weight_hh_l1", (7, 3)),
                                ("keras/cnn_bn_keras2_alexfox.h5", "dense.weight", (5, 40))):
            with self.subTest(rel):
                src = self.fixture(rel)
                pth = self.convert(src)
                rc, report = compare_json(src, pth)
                self.assertEqual(rc, 0, "conversion should compare identical")
                self.assertTrue(report["cross_format"])
                self.assertEqual(report["summary"]["identical_layers"], len(report["layers"]))
                for layer in report["layers"]:
                    self.assertTrue(layer["identical"], layer)
                    self.assertEqual(layer["metrics"]["max_abs_diff"], 0.0)

                sd = torch.load(pth, map_location="cpu")
                before = float(sd[key][index])
                sd[key][index] += 0.375
                delta = float(sd[key][index]) - before  # after float32 rounding
                perturbed = os.path.join(self.tmp, "perturbed.pth")
                torch.save(sd, perturbed)
                rc, report = compare_json(src, perturbed)
                self.assertEqual(rc, 3)
                differing = [(l["a"], l["b"], t["role"], t) for l in report["layers"]
                             for t in l["tensors"] if not t["identical"]]
                self.assertEqual(len(differing), 1, differing)
                _, b_label, role, t = differing[0]
                self.assertTrue(key.startswith(b_label.split("[")[0] + "."), (key, b_label))
                self.assertEqual(t["metrics"]["differing"], 1)
                self.assertEqual(t["metrics"]["max_abs_diff"], abs(delta))
                self.assertIn(key, t["path_b"])

    def test_pytorch_against_its_keras_conversion(self):
        """PyTorch -> Keras sums bias_ih + bias_hh into one float32 Keras bias; the comparison
        rounds the summed side the same way, so a model and its conversion are identical, and a
        perturbed bias_hh element shows up as that one rounded sum's change."""
        src = os.path.join(ors.EXAMPLES, "seed_lstm_state_dict.pth")
        if not os.path.isfile(src):
            self.skipTest("SKIP: example %s absent" % src)
        h5 = os.path.join(self.tmp, "seed.h5")
        # The comparison is the check here; convert's own forward check is tested elsewhere.
        r = ors.run_cli(["convert", src, "-o", h5, "--no-verify"], timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertTrue(os.path.isfile(h5), r.stderr.decode())
        rc, report = compare_json(src, h5)
        self.assertEqual(rc, 0, [l for l in report["layers"] if not l["identical"]])

        sd = torch.load(src, map_location="cpu")
        sd["lstm.bias_hh_l1"][5] += 0.25
        perturbed = os.path.join(self.tmp, "perturbed.pth")
        torch.save(sd, perturbed)
        rc, report = compare_json(perturbed, h5)
        self.assertEqual(rc, 3)
        differing = [(l["a"], t) for l in report["layers"] for t in l["tensors"]
                     if not t["identical"]]
        self.assertEqual(len(differing), 1, differing)
        label, t = differing[0]
        self.assertEqual((label, t["role"], t["metrics"]["differing"]), ("lstm[1]", "bias", 1))
        with h5py.File(h5, "r") as f:
            keras_bias = f[t["path_b"]][()]
        ih = sd["lstm.bias_ih_l1"].double().numpy()
        hh = sd["lstm.bias_hh_l1"].double().numpy()
        # PyTorch gates i,f,g,o -> Keras i,f,c,o: the same block order for LSTM, so row 5 stays.
        summed = np.float32(ih[5] + hh[5])
        self.assertEqual(t["metrics"]["max_abs_diff"], abs(float(summed) - float(keras_bias[5])))

    def test_explicit_pair_and_usage(self):
        src = self.fixture("pytorch/mlp_state_dict.pth")
        rc, report = compare_json(src, src, "--pair", "fc1=")
        self.assertEqual(rc, 3)
        rows = [(l["a"], l["b"], l["paired_by"]) for l in report["layers"]]
        self.assertIn(("fc1", None, "unpaired"), rows)
        self.assertIn((None, "fc1", "unpaired"), rows)
        self.assertIn(("fc2", "fc2", "name"), rows)
        rc, report = compare_json(src, src, "--pair", "fc2=fc3")
        row = [l for l in report["layers"] if l["a"] == "fc2"][0]
        self.assertEqual((row["b"], row["paired_by"]), ("fc3", "user"))
        self.assertIn("shapes differ", row["tensors"][1]["problem"] + row["tensors"][0]["problem"])
        self.assertEqual(ors.run_cli(["compare", src]).returncode, 2)
        self.assertEqual(ors.run_cli(["compare", src, src, "--pair", "nosuch=fc1"]).returncode, 1)
        rc = ors.run_cli(["compare", src, src])
        self.assertEqual(rc.returncode, 0, rc.stdout.decode())


if __name__ == "__main__":
    unittest_main.main()
