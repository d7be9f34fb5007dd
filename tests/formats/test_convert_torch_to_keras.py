# SPDX-License-Identifier: GPL-3.0-or-later
"""`weightsmith-cli convert SRC.pth --template T.h5 -o OUT.h5`: PyTorch -> Keras into a template,
proved by forward passes in the real engines.

For each real Keras template, the test builds the matching PyTorch model in real torch (Debian's
torch 1.13, seeded random init, BatchNorm statistics randomized too), saves its state_dict,
transfers it into the template and compares the Keras oracle's output on the result (TensorFlow.js
reading the written .h5: `node oracle.mjs`) with torch's own output on the same seeded input.
Everything but the transferred weights must survive (checked with h5py). Mismatched templates
and mappings are refused with messages naming both layers and their shapes.

Without a template: the bundled seed (resources/examples) and a whole pickled nn.Sequential
become Keras full-model .h5 files with a generated model_config, checked the same way, and the
seed goes back to PyTorch (`convert OUT.h5 -o back.pth`) with every tensor bit-identical (the
PyTorch bias pair travels in our own unlisted dataset); other models are refused ("a template
is required"). convert's own forward check (verify by default) is checked here too.

Env: WS_CLI, WS_FIXTURES, WS_EXAMPLES (ctest), WS_KERAS_ORACLE = the keras-oracle folder with node_modules
installed (prints SKIP for the oracle comparisons when absent). Run with /usr/bin/python3.
"""
import json
import os
import shutil
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_oracle  # noqa: E402
import oracle_support as ors  # noqa: E402
import unittest_main  # noqa: E402

SKIP = ors.skip_reason()
BATCH = 3
TOLERANCE = 1e-5


ORACLE_SKIP = SKIP or keras_oracle.unavailable_reason()


def keras_file(name):
    return os.path.join(ors.FIXTURES, "keras", name)


# ------------------------------------------------------------------ the matching torch models

def recurrent_model(kind, hidden=50, layers=2):
    """nn.LSTM/nn.GRU(1, hidden, num_layers, batch_first) -> Dropout -> Linear(hidden, 1) on the
    last step: the Keras stacked time-series models (Dropout is the identity in eval())."""
    import torch
    import torch.nn as nn

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            cell = nn.LSTM if kind == "LSTM" else nn.GRU
            self.rnn = cell(1, hidden, num_layers=layers, batch_first=True)
            self.drop = nn.Dropout(0.2)
            self.fc = nn.Linear(hidden, 1)

        def forward(self, x):
            y, _ = self.rnn(x)
            return self.fc(self.drop(y[:, -1, :]))

    torch.manual_seed(1234)
    return Recurrent().eval()


def tf_same_max_pool(x, k, s):
    """TensorFlow's 'same' max pooling: asymmetric padding (more after) with -inf."""
    import torch.nn.functional as F
    pads = []
    for size in (x.shape[3], x.shape[2]):  # F.pad lists the last axis first
        out = -(-size // s)
        total = max((out - 1) * s + k - size, 0)
        pads += [total // 2, total - total // 2]
    return F.max_pool2d(F.pad(x, pads, value=float("-inf")), k, s)


def cnn_bn_model():
    """cnn_bn_keras2_alexfox.h5 in torch: 3 x (Conv2d+relu -> TF-'same' MaxPool -> BatchNorm with
    Keras' eps 1e-3) -> Flatten (channels-first) -> Linear+relu -> Dropout -> Linear+softmax."""
    import torch
    import torch.nn as nn

    class CnnBn(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3)
            self.bn1 = nn.BatchNorm2d(32, eps=1e-3, momentum=0.01)
            self.conv2 = nn.Conv2d(32, 32, 3)
            self.bn2 = nn.BatchNorm2d(32, eps=1e-3, momentum=0.01)
            self.conv3 = nn.Conv2d(32, 32, 2)
            self.bn3 = nn.BatchNorm2d(32, eps=1e-3, momentum=0.01)
            self.fc1 = nn.Linear(480, 64)
            self.drop = nn.Dropout(0.3)
            self.fc2 = nn.Linear(64, 10)

        def forward(self, x):  # x: (N, 1, 130, 13)
            x = self.bn1(tf_same_max_pool(torch.relu(self.conv1(x)), 3, 2))
            x = self.bn2(tf_same_max_pool(torch.relu(self.conv2(x)), 3, 2))
            x = self.bn3(tf_same_max_pool(torch.relu(self.conv3(x)), 2, 2))
            x = torch.relu(self.fc1(torch.flatten(x, 1)))
            return torch.softmax(self.fc2(self.drop(x)), dim=1)

    torch.manual_seed(4321)
    model = CnnBn()
    with torch.no_grad():  # non-trivial statistics and affine parameters, so BN matters
        for bn in (model.bn1, model.bn2, model.bn3):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.3, 0.3)
            bn.num_batches_tracked.fill_(7)
    return model.eval()


# template -> (torch model factory, Keras input shape without batch, torch layout)
CASES = {
    "lstm_stacked_timeseries_keras3.h5": (lambda: recurrent_model("LSTM"), (60, 1), "cl"),
    "gru_stacked_timeseries_keras3.h5": (lambda: recurrent_model("GRU"), (60, 1), "cl"),
    "cnn_bn_keras2_alexfox.h5": (cnn_bn_model, (130, 13, 1), "cf"),
}


def seeded_input(shape):
    import numpy as np
    rng = np.random.RandomState(20261129)
    return rng.standard_normal((BATCH,) + tuple(shape)).astype(np.float32)


def torch_output(model, x, layout):
    import numpy as np
    import torch
    t = torch.from_numpy(x)
    if layout == "cf":  # Keras (N, H, W, C) -> torch (N, C, H, W)
        t = t.permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        return model(t).double().numpy().astype(np.float64)


def run_oracle(model_path, x, workdir):
    return keras_oracle.outputs(model_path, x, workdir)[0]


def convert(args):
    return ors.run_cli(["convert"] + list(args), timeout=300)


def h5_objects(path):
    """name -> (kind, attributes, data or None) for every group and dataset, read with h5py."""
    import h5py
    import numpy as np
    out = {}

    def visit(name, obj):
        attrs = {k: repr(np.asarray(v).tolist()) for k, v in obj.attrs.items()}
        data = obj[()] if isinstance(obj, h5py.Dataset) else None
        out[name] = (type(obj).__name__, attrs, data)

    with h5py.File(path, "r") as f:
        out["/"] = ("Group", {k: repr(np.asarray(v).tolist()) for k, v in f.attrs.items()}, None)
        f.visititems(visit)
    return out


class TransferIntoTemplate(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_t2k_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def transfer(self, name, extra=()):
        import torch
        template = keras_file(name)
        if not os.path.isfile(template):
            self.skipTest("fixture %s is absent" % name)
        factory, shape, layout = CASES[name]
        model = factory()
        src = os.path.join(self.tmp, "source_state_dict.pth")
        torch.save(model.state_dict(), src)
        out = os.path.join(self.tmp, "transferred.h5")
        report = os.path.join(self.tmp, "report.json")
        proc = convert([src, "--template", template, "-o", out, "--report-json", report] +
                       list(extra))
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        with open(report) as f:
            doc = json.load(f)
        return model, shape, layout, template, out, proc.stdout.decode(), doc

    def check_preserved(self, template, out, doc):
        """Every object and attribute of the template survives; exactly the written tensors
        change."""
        before, after = h5_objects(template), h5_objects(out)
        self.assertEqual(sorted(before), sorted(after))
        written = {"/" + t["target"].lstrip("/") for p in doc["pairs"] for t in p["tensors"]}
        written = {w.lstrip("/") for w in written}
        changed = 0
        for name, (kind, attrs, data) in before.items():
            self.assertEqual(kind, after[name][0], name)
            self.assertEqual(attrs, after[name][1], name)
            if data is None:
                continue
            self.assertEqual(data.dtype, after[name][2].dtype, name)
            self.assertEqual(data.shape, after[name][2].shape, name)
            if name in written:
                changed += 1
            else:
                self.assertTrue((data == after[name][2]).all(), name + " changed")
        self.assertEqual(changed, len(written))
        self.assertEqual(doc["tensors_written"], len(written))

    def compare_with_oracle(self, name, extra=()):
        import numpy as np
        model, shape, layout, template, out, text, doc = self.transfer(name, extra)
        self.check_preserved(template, out, doc)
        if ORACLE_SKIP:
            print("SKIP: oracle comparison of %s: %s" % (name, ORACLE_SKIP))
            return doc, text
        x = seeded_input(shape)
        expected = torch_output(model, x, layout)
        got = run_oracle(out, x, self.tmp)
        self.assertEqual(got.shape, expected.shape)
        diff = float(np.max(np.abs(got - expected)))
        print("%s: torch -> template, max abs diff vs torch %.3g" % (name, diff))
        self.assertLessEqual(diff, TOLERANCE)
        # The template's own weights give something else: the comparison can fail.
        original = run_oracle(template, x, self.tmp)
        self.assertGreater(float(np.max(np.abs(original - expected))), 100 * TOLERANCE)
        return doc, text

    def test_lstm_stacked_keras3(self):
        doc, text = self.compare_with_oracle("lstm_stacked_timeseries_keras3.h5")
        pairs = [(p["source_layer"], p["target_layer"]) for p in doc["pairs"]]
        self.assertEqual(pairs, [("rnn[0]", "lstm"), ("rnn[1]", "lstm_1"), ("fc", "dense")])
        bias = [t for t in doc["pairs"][1]["tensors"] if t["target"].endswith("bias")][0]
        self.assertEqual(bias["source"], "rnn.bias_ih_l1 + rnn.bias_hh_l1")
        self.assertIn("biases summed", bias["transform"])
        self.assertIn("rnn[1] (LSTM) -> lstm_1 (LSTM)", text)

    def test_gru_stacked_keras3(self):
        doc, _ = self.compare_with_oracle("gru_stacked_timeseries_keras3.h5")
        kernel = [t for t in doc["pairs"][0]["tensors"] if t["target"].endswith("/kernel")][0]
        self.assertIn("gates r,z,n -> z,r,h", kernel["transform"])
        self.assertEqual(kernel["target_shape"], "(1, 150)")

    def test_cnn_bn_flatten_dense(self):
        doc, text = self.compare_with_oracle("cnn_bn_keras2_alexfox.h5")
        dense = [p for p in doc["pairs"] if p["target_layer"] == "dense"][0]
        self.assertIn("channels-last order", dense["tensors"][0]["transform"])
        bn = [p for p in doc["pairs"] if p["target_layer"] == "batch_normalization"][0]
        self.assertTrue(any("eps=0.001" in n for n in bn["notes"]), bn["notes"])

    def test_mapping_overrides_pairs(self):
        """The same result with the pairs spelled out in a mapping file (list form)."""
        mapping = os.path.join(self.tmp, "map.json")
        with open(mapping, "w") as f:
            json.dump([{"source": "fc", "target": "dense"},
                       {"source": "rnn[1]", "target": "lstm_1"}], f)
        doc, _ = self.compare_with_oracle("lstm_stacked_timeseries_keras3.h5",
                                          ["--mapping", mapping])
        flagged = {p["target_layer"]: p["from_mapping"] for p in doc["pairs"]}
        self.assertEqual(flagged, {"dense": True, "lstm_1": True, "lstm": False})

    def test_keras3_archive_two_heads(self):
        """A .keras (Keras 3 zip) template of a two-output Functional model: LSTM(64) ->
        LSTM(32) -> two Dense(16, relu) heads -> Dense(1) each (config.json of the fixture:
        stage_output reads dense_4, discharge_output reads dense_5)."""
        import numpy as np
        import torch
        import torch.nn as nn
        template = keras_file("lstm_functional_keras3.keras")
        if not os.path.isfile(template):
            self.skipTest("fixture absent")

        class TwoHeads(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm1 = nn.LSTM(5, 64, batch_first=True)
                self.lstm2 = nn.LSTM(64, 32, batch_first=True)
                self.stage_hidden = nn.Linear(32, 16)
                self.discharge_hidden = nn.Linear(32, 16)
                self.stage_out = nn.Linear(16, 1)
                self.discharge_out = nn.Linear(16, 1)

            def forward(self, x):
                h = self.lstm2(self.lstm1(x)[0])[0][:, -1, :]
                return (self.stage_out(torch.relu(self.stage_hidden(h))),
                        self.discharge_out(torch.relu(self.discharge_hidden(h))))

        torch.manual_seed(5)
        model = TwoHeads().eval()
        src = os.path.join(self.tmp, "two_heads.pth")
        torch.save(model.state_dict(), src)
        out = os.path.join(self.tmp, "two_heads.keras")
        proc = convert([src, "--template", template, "-o", out])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        with zipfile.ZipFile(template) as a, zipfile.ZipFile(out) as b:
            self.assertEqual(a.namelist(), b.namelist())
            self.assertEqual(a.read("config.json"), b.read("config.json"))
        if ORACLE_SKIP:
            print("SKIP: oracle comparison of the .keras template: %s" % ORACLE_SKIP)
            return
        x = seeded_input((96, 5))
        with torch.no_grad():
            expected = [t.double().numpy() for t in model(torch.from_numpy(x))]
        got = keras_oracle.outputs(out, x, self.tmp)
        diff = max(float(np.max(np.abs(g - e))) for g, e in zip(got, expected))
        print("lstm_functional_keras3.keras: torch -> template, max abs diff vs torch %.3g" % diff)
        self.assertEqual(len(got), 2)
        self.assertLessEqual(diff, TOLERANCE)


class Refusals(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_t2k_refuse_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def refused(self, model, template, extra=()):
        import torch
        template = keras_file(template)
        if not os.path.isfile(template):
            self.skipTest("fixture absent")
        src = os.path.join(self.tmp, "src.pth")
        torch.save(model.state_dict(), src)
        out = os.path.join(self.tmp, "out.h5")
        proc = convert([src, "--template", template, "-o", out] + list(extra))
        self.assertEqual(proc.returncode, 1, proc.stdout.decode() + proc.stderr.decode())
        self.assertFalse(os.path.exists(out), "nothing may be written on a refusal")
        self.assertEqual([f for f in os.listdir(self.tmp) if f not in ("src.pth", "map.json")], [])
        return proc.stderr.decode()

    def test_wrong_kind(self):
        err = self.refused(recurrent_model("GRU"), "lstm_stacked_timeseries_keras3.h5")
        self.assertIn("source layer 'rnn[0]' (GRU) and template layer 'lstm' (LSTM) "
                      "are different kinds of layer", err)

    def test_wrong_shape(self):
        err = self.refused(recurrent_model("LSTM", hidden=32), "lstm_stacked_timeseries_keras3.h5")
        self.assertIn("source layer 'rnn[0]' (LSTM) and template layer 'lstm' (LSTM)", err)
        self.assertIn("(128, 1)", err)  # the source weight_ih_l0
        self.assertIn("(1, 128)", err)  # what it gives as the Keras kernel
        self.assertIn("'model_weights/lstm/sequential/lstm/lstm_cell/kernel' is (1, 200)", err)

    def test_wrong_layer_count(self):
        err = self.refused(recurrent_model("LSTM", layers=3), "lstm_stacked_timeseries_keras3.h5")
        self.assertIn("the source has 4 weighted layers to place", err)
        self.assertIn("the template has 3", err)
        self.assertIn("rnn[2] (LSTM)", err)

    def test_mapping_pairs_mismatched_layers(self):
        mapping = os.path.join(self.tmp, "map.json")
        with open(mapping, "w") as f:
            json.dump({"fc": "lstm"}, f)
        err = self.refused(recurrent_model("LSTM"), "lstm_stacked_timeseries_keras3.h5",
                           ["--mapping", mapping])
        self.assertIn("source layer 'fc' (Dense) and template layer 'lstm' (LSTM)", err)

    def test_mapping_names_unknown_layer(self):
        mapping = os.path.join(self.tmp, "map.json")
        with open(mapping, "w") as f:
            json.dump({"fc": "no_such_layer"}, f)
        err = self.refused(recurrent_model("LSTM"), "lstm_stacked_timeseries_keras3.h5",
                           ["--mapping", mapping])
        self.assertIn("the template has no weighted layer 'no_such_layer'", err)


# ------------------------------------------------------------------ generated Keras model

def seed_file(name):
    return os.path.join(ors.EXAMPLES, name)


def seed_torch_model(state_dict):
    """The bundled seed model (resources/examples/README.md) rebuilt in real torch."""
    model = ors.seed_model_class()()
    model.load_state_dict(state_dict, strict=True)
    return model.eval()


def model_config(path):
    import h5py
    with h5py.File(path, "r") as f:
        raw = f.attrs["model_config"]
    return json.loads(raw.decode() if isinstance(raw, bytes) else raw)


class GeneratedKerasModel(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)
        if not ors.EXAMPLES or not os.path.isfile(seed_file("seed_lstm_state_dict.pth")):
            self.skipTest("the bundled examples are absent (WS_EXAMPLES=%r)" % ors.EXAMPLES)
        self.tmp = tempfile.mkdtemp(prefix="ws_t2k_gen_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def seed_to_keras(self, name):
        out = os.path.join(self.tmp, name + ".h5")
        proc = convert([seed_file(name), "-o", out])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return out

    def check_seed_output(self, keras_path):
        import numpy as np
        import torch
        state = torch.load(seed_file("seed_lstm_state_dict.pth"))
        x = seeded_input((20, 1))
        expected = torch_output(seed_torch_model(state), x, "cl")
        if ORACLE_SKIP:
            print("SKIP: oracle comparison of the seed: %s" % ORACLE_SKIP)
            return
        got = run_oracle(keras_path, x, self.tmp)
        diff = float(np.max(np.abs(got - expected)))
        print("seed %s -> Keras: max abs diff vs torch %.3g" % (os.path.basename(keras_path), diff))
        self.assertEqual(got.shape, expected.shape)
        self.assertLessEqual(diff, TOLERANCE)

    def test_seed_state_dict(self):
        out = self.seed_to_keras("seed_lstm_state_dict.pth")
        layers = model_config(out)["config"]["layers"]
        # A state_dict names no module classes: no Dropout layer is invented (the whole module
        # below has one).
        self.assertEqual([l["class_name"] for l in layers],
                         ["InputLayer", "LSTM", "LSTM", "LSTM", "LSTM", "Dense"])
        self.assertEqual([l["config"].get("return_sequences") for l in layers[1:5]],
                         [True, True, True, False])
        self.check_seed_output(out)

    def test_seed_whole_module(self):
        out = self.seed_to_keras("seed_lstm_model.pth")
        layers = model_config(out)["config"]["layers"]
        self.assertEqual(layers[5]["class_name"], "Dropout")
        self.assertEqual(layers[5]["config"]["rate"], 0.2)  # the pickled nn.Dropout's p
        self.check_seed_output(out)

    def back_to_pytorch(self, keras_path, name="back.pth", extra=()):
        import torch
        back = os.path.join(self.tmp, name)
        proc = convert([keras_path, "-o", back] + list(extra))
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return torch.load(back), proc.stdout.decode() + proc.stderr.decode()

    def assert_bit_identical(self, got, original):
        """Same keys in the same order; every tensor the same dtype, shape and bits."""
        import numpy as np
        self.assertEqual(list(got.keys()), list(original.keys()))
        for key, value in original.items():
            self.assertEqual(got[key].dtype, value.dtype, key)
            self.assertEqual(tuple(got[key].shape), tuple(value.shape), key)
            self.assertTrue(np.array_equal(got[key].numpy().view(np.uint32),
                                           value.numpy().view(np.uint32)), key)

    def split_datasets(self, keras_path):
        """Our bias-split datasets with h5py: name -> array; and that no layer lists them in
        weight_names (so Keras and tfjs, which load by weight_names, ignore them)."""
        import h5py
        found = {}
        with h5py.File(keras_path, "r") as f:
            for layer, group in f["model_weights"].items():
                listed = [n.decode() for n in group.attrs["weight_names"]]
                self.assertFalse([n for n in listed if "weightsmith" in n], layer)
                if "weightsmith_torch_bias_ih_hh" in group:
                    found[layer] = group["weightsmith_torch_bias_ih_hh"][()]
        return found

    def test_seed_back_to_pytorch(self):
        """The seed story: resources/examples/seed_lstm_state_dict.pth -> Keras .h5 (generated
        config, checked against the oracle) -> .pth, every tensor bit-identical to torch.load
        of the original -- also bias_ih and bias_hh, which Keras keeps only as their sum: the
        .h5 carries the pair in our own unlisted dataset per layer."""
        import numpy as np
        import torch
        original = torch.load(seed_file("seed_lstm_state_dict.pth"))
        for source in ("seed_lstm_state_dict.pth", "seed_lstm_model.pth"):
            keras_path = self.seed_to_keras(source)
            splits = self.split_datasets(keras_path)
            self.assertEqual(sorted(splits), ["lstm", "lstm_1", "lstm_2", "lstm_3"])
            for k, layer in enumerate(["lstm", "lstm_1", "lstm_2", "lstm_3"]):
                expected = np.stack([original["lstm.bias_ih_l%d" % k].numpy(),
                                     original["lstm.bias_hh_l%d" % k].numpy()])
                self.assertTrue(np.array_equal(splits[layer], expected), layer)
            self.check_seed_output(keras_path)  # the oracle still loads and computes it
            got, report = self.back_to_pytorch(keras_path)
            self.assert_bit_identical(got, original)
            self.assertIn("weightsmith_torch_bias_ih_hh (2, 200) -> lstm.bias_hh_l0", report)
            print("%s -> Keras -> PyTorch: %d tensors bit-identical" % (source, len(got)))

    def test_gru_seed_style_back_to_pytorch(self):
        """A seed-style GRU (num_layers=2) -> Keras -> PyTorch: bit-identical (GRU keeps both
        biases as the rows of its (2, 3h) bias, so no extra dataset is needed) and the oracle
        matches torch."""
        import numpy as np
        import torch
        model = recurrent_model("GRU", hidden=16, layers=2)
        src = os.path.join(self.tmp, "gru_seed.pth")
        torch.save(model.state_dict(), src)
        keras_path = os.path.join(self.tmp, "gru_seed.h5")
        proc = convert([src, "-o", keras_path, "--input-shape", "12,1"])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.assertIn("verify: OK", proc.stdout.decode())
        self.assertEqual(self.split_datasets(keras_path), {})
        got, _ = self.back_to_pytorch(keras_path, "gru_back.pth")
        self.assert_bit_identical(got, model.state_dict())
        if ORACLE_SKIP:
            print("SKIP: oracle comparison of the GRU seed: %s" % ORACLE_SKIP)
            return
        x = seeded_input((12, 1))
        diff = float(np.max(np.abs(run_oracle(keras_path, x, self.tmp) -
                                   torch_output(model, x, "cl"))))
        print("GRU seed-style -> Keras: max abs diff vs torch %.3g" % diff)
        self.assertLessEqual(diff, TOLERANCE)

    def test_keras_file_without_split_converts_as_before(self):
        """Without our dataset (any Keras file) the rule applies: bias_ih = the Keras bias (the
        float32 sum), bias_hh = 0; with a split that no longer sums to the bias (the bias was
        edited) too, and the report says so."""
        import h5py
        import numpy as np
        import torch
        original = torch.load(seed_file("seed_lstm_state_dict.pth"))
        stripped = self.seed_to_keras("seed_lstm_state_dict.pth")
        edited = os.path.join(self.tmp, "edited.h5")
        shutil.copyfile(stripped, edited)
        with h5py.File(stripped, "r+") as f:
            for layer in f["model_weights"].values():
                if "weightsmith_torch_bias_ih_hh" in layer:
                    del layer["weightsmith_torch_bias_ih_hh"]
        with h5py.File(edited, "r+") as f:
            f["model_weights/lstm_2/weightsmith_torch_bias_ih_hh"][0, 0] += 1.0
        for path, changed_levels in ((stripped, range(4)), (edited, [2])):
            got, report = self.back_to_pytorch(path, os.path.basename(path) + ".pth")
            self.assertEqual(list(got.keys()), list(original.keys()))
            for key, value in original.items():
                level = int(key.rsplit("_l", 1)[1]) if key.startswith("lstm.bias") else -1
                if "bias_ih" in key and level in changed_levels:
                    expected = value + original[key.replace("bias_ih", "bias_hh")]
                elif "bias_hh" in key and level in changed_levels:
                    expected = torch.zeros_like(value)
                else:
                    expected = value
                self.assertTrue(np.array_equal(got[key].numpy().view(np.uint32),
                                               expected.numpy().view(np.uint32)), (path, key))
            if path == edited:
                self.assertIn("does not sum to the Keras bias", report)
                self.assertIn("lstm_2", report)
            else:
                self.assertNotIn("weightsmith_torch_bias_ih_hh", report)
        x = seeded_input((20, 1))
        diff = float(np.max(np.abs(torch_output(seed_torch_model(got), x, "cl") -
                                   torch_output(seed_torch_model(original), x, "cl"))))
        self.assertLessEqual(diff, 1e-5)

    def test_convert_runs_the_forward_check(self):
        """convert runs verify on SRC and OUT by default: a pass is printed and recorded in
        --report-json; an open input dimension or --no-verify is said in one line, exit 0."""
        keras_path = os.path.join(self.tmp, "seed.h5")
        report = os.path.join(self.tmp, "report.json")
        proc = convert([seed_file("seed_lstm_state_dict.pth"), "-o", keras_path,
                        "--input-shape", "20,1", "--report-json", report])
        out = proc.stdout.decode()
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.assertIn("forward check (weightsmith-cli verify", out)
        # The 4-level nn.LSTM's output is its last level's, compared with the last Keras LSTM.
        self.assertIn("PyTorch lstm (layer 4 of 4) <-> Keras lstm_3", out)
        self.assertIn("verify: OK", out)
        with open(report) as f:
            doc = json.load(f)["verify"]
        self.assertTrue(doc["ran"] and doc["pass"])
        self.assertEqual(doc["input_shape"], [4, 20, 1])
        self.assertLessEqual(doc["output"]["max_abs"], 1e-6)
        self.assertEqual([l["label"] for l in doc["layers"]],
                         ["PyTorch lstm (layer 4 of 4) <-> Keras lstm_3",
                          "PyTorch linear <-> Keras linear"])

        proc = convert([seed_file("seed_lstm_state_dict.pth"), "-o", keras_path,
                        "--report-json", report])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        lines = [l for l in proc.stdout.decode().splitlines() if l.startswith("verify:")]
        self.assertEqual(len(lines), 1)
        self.assertIn("verify: not run: the model's input shape is not fully known", lines[0])
        with open(report) as f:
            self.assertFalse(json.load(f)["verify"]["ran"])

        proc = convert([seed_file("seed_lstm_state_dict.pth"), "-o", keras_path,
                        "--input-shape", "20,1", "--no-verify"])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        self.assertIn("verify: not run: --no-verify", proc.stdout.decode())
        self.assertNotIn("forward check", proc.stdout.decode())

    def test_whole_sequential(self):
        import numpy as np
        import torch
        import torch.nn as nn
        torch.manual_seed(99)
        model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 8),
                              nn.Tanh(), nn.Linear(8, 3), nn.Softmax(dim=1)).eval()
        src = os.path.join(self.tmp, "sequential.pth")
        torch.save(model, src)
        out = os.path.join(self.tmp, "sequential.h5")
        proc = convert([src, "-o", out])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        layers = model_config(out)["config"]["layers"]
        self.assertEqual([(l["class_name"], l["config"].get("activation")) for l in layers],
                         [("InputLayer", None), ("Dense", "relu"), ("Dropout", None),
                          ("Dense", "tanh"), ("Dense", "softmax")])
        if ORACLE_SKIP:
            print("SKIP: oracle comparison of the nn.Sequential: %s" % ORACLE_SKIP)
            return
        x = seeded_input((6,))
        expected = torch_output(model, x, "cl")
        got = run_oracle(out, x, self.tmp)
        diff = float(np.max(np.abs(got - expected)))
        print("nn.Sequential -> Keras: max abs diff vs torch %.3g" % diff)
        self.assertLessEqual(diff, TOLERANCE)

    def test_other_models_need_a_template(self):
        import torch
        src = os.path.join(self.tmp, "cnn.pth")
        torch.save(cnn_bn_model().state_dict(), src)
        out = os.path.join(self.tmp, "cnn.h5")
        proc = convert([src, "-o", out])
        self.assertEqual(proc.returncode, 1)
        self.assertIn("a template is required", proc.stderr.decode())
        self.assertIn("--template", proc.stderr.decode())
        self.assertFalse(os.path.exists(out))


class KerasIntoTorchTemplate(unittest.TestCase):
    """The reverse: a Keras file into a PyTorch template of the same architecture (here a
    training checkpoint, whose epoch and optimizer state must survive)."""

    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_k2t_")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check(self, name):
        import numpy as np
        import torch
        keras_path = keras_file(name)
        if not os.path.isfile(keras_path):
            self.skipTest("fixture %s is absent" % name)
        factory, shape, layout = CASES[name]
        model = factory()
        optimizer = torch.optim.Adam(model.parameters())
        x = seeded_input(shape)
        t = torch.from_numpy(x)
        if layout == "cf":
            t = t.permute(0, 3, 1, 2).contiguous()
        model(t).sum().backward()
        optimizer.step()  # optimizer state worth preserving
        template = os.path.join(self.tmp, "checkpoint.pth")
        torch.save({"epoch": 7, "model_state_dict": model.state_dict(),
                    "optimizer_state_dict": optimizer.state_dict()}, template)
        out = os.path.join(self.tmp, "filled.pth")
        proc = convert([keras_path, "--template", template, "-o", out])
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        before, after = torch.load(template), torch.load(out)
        self.assertEqual(after["epoch"], 7)
        for k, v in before["optimizer_state_dict"]["state"].items():
            for kk, vv in v.items():
                self.assertTrue(torch.equal(vv, after["optimizer_state_dict"]["state"][k][kk]))
        model.load_state_dict(after["model_state_dict"], strict=True)
        if ORACLE_SKIP:
            print("SKIP: oracle comparison of %s into a torch template: %s" % (name, ORACLE_SKIP))
            return
        expected = run_oracle(keras_path, x, self.tmp)
        diff = float(np.max(np.abs(torch_output(model.eval(), x, layout) - expected)))
        print("%s -> torch template: max abs diff vs the Keras oracle %.3g" % (name, diff))
        self.assertLessEqual(diff, TOLERANCE)

    def test_lstm_stacked_keras3(self):
        self.check("lstm_stacked_timeseries_keras3.h5")

    def test_gru_stacked_keras3(self):
        self.check("gru_stacked_timeseries_keras3.h5")

    def test_cnn_bn(self):
        self.check("cnn_bn_keras2_alexfox.h5")

    def test_wrong_kind_refused(self):
        import torch
        template = os.path.join(self.tmp, "gru.pth")
        torch.save(recurrent_model("GRU").state_dict(), template)
        keras_path = keras_file("lstm_stacked_timeseries_keras3.h5")
        if not os.path.isfile(keras_path):
            self.skipTest("fixture absent")
        out = os.path.join(self.tmp, "out.pth")
        proc = convert([keras_path, "--template", template, "-o", out])
        self.assertEqual(proc.returncode, 1)
        self.assertIn("Keras layer(s) lstm, lstm_1 (PyTorch LSTM module 'lstm') and template "
                      "module 'rnn' (GRU) are different kinds of layer", proc.stderr.decode())
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    if SKIP:
        print("SKIP: %s" % SKIP)
    unittest_main.main()
