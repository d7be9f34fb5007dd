#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every fixture and bundled example, read by `weightsmith-cli inspect`, against real torch/h5py.

For each file: text and --json inspect succeed; the set of tensor paths in our tree equals the
set torch (state_dict / checkpoint dict / TorchScript state_dict) or h5py (every dataset) finds,
so nothing is dropped or invented; every tensor's shape and dtype agree; and every tensor read
back through `--tensor PATH --npy OUT` equals the oracle's array bit for bit (NaN payloads
included, bf16 widened to float32 on both sides).
"""
import concurrent.futures
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle_support as ws  # noqa: E402
import unittest_main  # noqa: E402


def native_bytes(a):
    import numpy as np
    return np.ascontiguousarray(ws.native(a)).tobytes()


class OracleFixtureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        reason = ws.skip_reason()
        if reason:
            print("SKIP: " + reason)
            raise unittest.SkipTest(reason)
        cls.workdir = tempfile.mkdtemp(prefix="ws_oracle_")

    def check_file(self, path):
        text = ws.run_cli(["inspect", path])
        self.assertEqual(text.returncode, 0, "inspect %s: %s" % (path, text.stderr.decode()))
        self.assertTrue(text.stdout.strip(), "inspect %s printed nothing" % path)

        doc = ws.inspect_json(path)
        ours = ws.tensor_nodes(doc)
        oracle = ws.oracle_tensors(path)

        missing = sorted(set(oracle) - set(ours))
        invented = sorted(set(ours) - set(oracle))
        self.assertFalse(missing, "%s: tensors the oracle has but our tree lacks: %s" %
                         (path, missing[:20]))
        self.assertFalse(invented, "%s: tensors in our tree the oracle does not have: %s" %
                         (path, invented[:20]))
        self.assertTrue(oracle, "%s: the oracle found no tensors at all" % path)

        text_out = text.stdout.decode("utf-8", errors="replace")
        for tpath, node in ours.items():
            expected, dtype_name = oracle[tpath]
            self.assertEqual(list(node["shape"]), list(expected.shape), "%s: shape of %s" %
                             (path, tpath))
            self.assertEqual(node["dtype"], dtype_name, "%s: dtype of %s" % (path, tpath))
            self.assertIn(node["name"], text_out, "%s: text tree lacks %s" % (path, tpath))

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            got = dict(zip(ours, pool.map(lambda p: ws.cli_tensor(path, p, self.workdir), ours)))
        for tpath, actual in got.items():
            expected, _ = oracle[tpath]
            self.assertEqual(ws.native(actual).dtype, ws.native(expected).dtype,
                             "%s: .npy dtype of %s" % (path, tpath))
            self.assertEqual(actual.shape, expected.shape, "%s: .npy shape of %s" % (path, tpath))
            self.assertTrue(native_bytes(actual) == native_bytes(expected),
                            "%s: values of %s differ from the oracle" % (path, tpath))
        return doc, oracle

    def test_every_fixture_matches_the_oracle(self):
        files = ws.fixture_files()
        self.assertGreater(len(files), 0, "no fixtures found under " + ws.FIXTURES)
        for path in files:
            with self.subTest(file=os.path.relpath(path, ws.FIXTURES)):
                self.check_file(path)

    def test_bundled_examples_match_the_oracle(self):
        files = ws.example_files()
        self.assertEqual(len(files), 2, "expected the two seed examples in %s" % ws.EXAMPLES)
        for path in files:
            with self.subTest(file=os.path.basename(path)):
                self.check_file(path)

    def seed_path(self, name):
        path = os.path.join(ws.EXAMPLES, name)
        if not os.path.isfile(path):
            self.fail("bundled example missing: " + path)
        return path

    def check_seed_shapes(self, doc):
        ours = ws.tensor_nodes(doc)
        self.assertEqual(ours["lstm.weight_ih_l0"]["shape"], [200, 1])
        self.assertEqual(ours["lstm.weight_hh_l0"]["shape"], [200, 50])
        self.assertEqual(ours["lstm.weight_ih_l3"]["shape"], [200, 50])
        self.assertEqual(ours["lstm.bias_hh_l3"]["shape"], [200])
        self.assertEqual(ours["linear.weight"]["shape"], [1, 50])
        self.assertEqual(ours["linear.bias"]["shape"], [1])
        self.assertEqual(doc["totals"]["tensors"], 18)

    def test_seed_state_dict_tree(self):
        doc, _ = self.check_file(self.seed_path("seed_lstm_state_dict.pth"))
        self.check_seed_shapes(doc)

    def test_seed_whole_model_tree_shows_module_classes(self):
        path = self.seed_path("seed_lstm_model.pth")
        doc, _ = self.check_file(path)
        self.check_seed_shapes(doc)
        ours = {n.get("class", "").rsplit(".", 1)[-1] for n in ws.walk_nodes(doc["tree"])}
        for cls in ("Model", "LSTM", "Dropout", "Linear"):
            self.assertIn(cls, ours, "class %s missing from the tree of %s" % (cls, path))
        # The same classes real torch finds when it unpickles the module.
        self.assertTrue({"Model", "LSTM", "Dropout", "Linear"} <= ws.torch_module_classes(path))
        self.assertIn("__main__.Model", doc["pickle"]["placeholder_classes"])


if __name__ == "__main__":
    unittest_main.main()
