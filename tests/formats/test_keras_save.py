# SPDX-License-Identifier: GPL-3.0-or-later
"""Saving and exporting Keras files, checked with h5py (and the Keras oracle when present):
an unchanged save of every Keras fixture gives back every group, dataset and attribute exactly
(names, values, string types, dtypes, shapes, chunking, filters); an edit changes exactly the
element asked for and nothing else, also in chunked/compressed and big-endian datasets; a
.keras archive keeps its other records; the Keras 2 save_weights export holds the source's
tensors; a failed save leaves the source intact and no file behind.

Run with /usr/bin/python3 (h5py 3.7, numpy, torch); WS_CLI and WS_FIXTURES from ctest.
WS_KERAS_ORACLE: a keras-oracle folder with node_modules installed (`npm ci`); without it the
oracle check prints a SKIP line.
"""
import hashlib
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_oracle  # noqa: E402
import oracle_support as ors  # noqa: E402
import unittest_main  # noqa: E402

SKIP = ors.skip_reason()
ORACLE = keras_oracle.ORACLE


def keras_dir():
    return os.path.join(ors.FIXTURES, "keras")


def keras_fixtures():
    d = keras_dir()
    return [os.path.join(d, f) for f in sorted(os.listdir(d))
            if f.endswith(".h5") or f.endswith(".keras")]


def run(args, timeout=300, **kw):
    proc = ors.run_cli(args, timeout=timeout, **kw)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# ------------------------------------------------------------------ h5py snapshots

def string_type(tid):
    """What kind of HDF5 string a type is: variable or fixed length (and its width), cset,
    padding; None for non-strings."""
    import h5py
    if tid.get_class() != h5py.h5t.STRING:
        return None
    return ("vlen" if tid.is_variable_str() else "fixed %d" % tid.get_size(),
            "utf8" if tid.get_cset() == h5py.h5t.CSET_UTF8 else "ascii",
            tid.get_strpad())


def normalize(value):
    import numpy as np
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return ("object array", value.shape, [normalize(v) for v in value.ravel()])
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, np.generic):
        return ("scalar", value.dtype.str, value.tobytes())
    return (type(value).__name__, value)


def attributes(obj):
    """name -> (value, string type with h5py.check_string_dtype, shape, type class)."""
    import h5py
    out = []
    for name in obj.attrs:
        aid = obj.attrs.get_id(name)
        tid = aid.get_type()
        info = h5py.check_string_dtype(aid.dtype)
        out.append((name, normalize(obj.attrs[name]),
                    (info.encoding, info.length) if info else None,
                    string_type(tid), aid.shape, tid.get_class()))
    return out


def filters(dataset):
    plist = dataset.id.get_create_plist()
    return [plist.get_filter(i)[:3] for i in range(plist.get_nfilters())]


def snapshot(f, values=True):
    """Everything h5py can say about a file: path -> description (root included)."""
    import h5py
    import numpy as np
    out = {"/": ("group", attributes(f))}

    def visit(name, obj):
        if isinstance(obj, h5py.Group):
            out[name] = ("group", attributes(obj))
        elif isinstance(obj, h5py.Dataset):
            tid = obj.id.get_type()
            desc = ["dataset", obj.dtype.str, obj.shape, obj.chunks, obj.compression,
                    obj.compression_opts, obj.shuffle, obj.fletcher32, obj.scaleoffset,
                    filters(obj), obj.id.get_create_plist().get_layout(), string_type(tid),
                    attributes(obj)]
            if values:
                desc.append(np.asarray(obj[()]).tobytes())
            out[name] = tuple(desc)
        else:
            out[name] = ("other", type(obj).__name__)

    f.visititems(visit)
    # Links h5py does not visit (soft/external) are compared by their targets.
    links = {}

    def visit_links(group, prefix):
        for name in group:
            link = group.get(name, getlink=True)
            path = prefix + name
            if isinstance(link, (h5py.SoftLink, h5py.ExternalLink)):
                links[path] = repr(link.path if isinstance(link, h5py.SoftLink)
                                   else (link.filename, link.path))
            elif isinstance(group[name], h5py.Group):
                visit_links(group[name], path + "/")

    visit_links(f, "")
    out["<links>"] = links
    return out


def open_h5(path):
    """An h5py file for an .h5 path or for the model.weights.h5 inside a .keras archive."""
    import h5py
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
    return h5py.File(path, "r")


def zip_records(path):
    """name -> (compress_type, CRC, sizes, raw data) in archive order, model.weights.h5 aside."""
    out = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename == "model.weights.h5":
                out.append((info.filename, info.compress_type))
                continue
            out.append((info.filename, info.compress_type, info.CRC, info.file_size,
                        info.date_time, info.extra, z.read(info)))
    return out


class KerasSaveTest(unittest.TestCase):
    def setUp(self):
        if SKIP:
            self.skipTest(SKIP)
        self.tmp = tempfile.mkdtemp(prefix="ws_keras_save_")

    def tearDown(self):
        for root, dirs, _ in os.walk(self.tmp):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def out(self, name):
        return os.path.join(self.tmp, name)

    def assert_same_h5(self, a_path, b_path, changed=None):
        """Every object identical; `changed` = {dataset: set of flat indices allowed to differ}
        and those must differ."""
        import numpy as np
        with open_h5(a_path) as a, open_h5(b_path) as b:
            sa, sb = snapshot(a, values=False), snapshot(b, values=False)
            self.assertEqual(sorted(sa), sorted(sb), "objects differ")
            for name in sa:
                self.assertEqual(sa[name], sb[name], "%s: %s" % (b_path, name))
            changed = changed or {}
            for name, desc in sa.items():
                if name == "<links>" or desc[0] != "dataset":
                    continue
                x, y = np.asarray(a[name][()]), np.asarray(b[name][()])
                # Bit patterns compared, so NaNs and -0.0 count as they are stored.
                xb = x.reshape(-1).view(np.dtype("V%d" % x.dtype.itemsize)) if x.size else x
                yb = y.reshape(-1).view(np.dtype("V%d" % y.dtype.itemsize)) if y.size else y
                differ = set(np.flatnonzero(xb != yb).tolist()) if x.size else set()
                self.assertEqual(differ, changed.get(name, set()), "%s: %s" % (b_path, name))

    # ------------------------------------------------------------ unchanged round trips

    def test_unchanged_save_of_every_keras_fixture(self):
        files = keras_fixtures()
        self.assertGreater(len(files), 0)
        for src in files:
            with self.subTest(src=os.path.basename(src)):
                dst = self.out("rt_" + os.path.basename(src))
                rc, _, err = run(["edit", src, "-o", dst])
                self.assertEqual(rc, 0, err)
                self.assert_same_h5(src, dst)
                if src.endswith(".keras"):
                    self.assertEqual(zip_records(src), zip_records(dst))
                # Nothing was edited: the file is written back byte for byte.
                self.assertEqual(sha256(src), sha256(dst))

    # ------------------------------------------------------------ edits

    def test_one_element_of_a_keras2_lstm_kernel(self):
        import h5py
        src = os.path.join(keras_dir(), "lstm_stacked_timeseries_keras2.h5")
        name = "model_weights/lstm/lstm/lstm_cell/kernel:0"
        dst = self.out("edited.h5")
        rc, _, err = run(["edit", src, "--set", "%s[0,5]=0.25" % name, "-o", dst])
        self.assertEqual(rc, 0, err)
        self.assert_same_h5(src, dst, {name: {5}})
        with h5py.File(dst, "r") as f:
            self.assertEqual(float(f[name][0, 5]), 0.25)
        # A second edit of the edited file (the saver reads from its own output).
        dst2 = self.out("edited2.h5")
        rc, _, err = run(["edit", dst, "--scale", "model_weights/dense/dense/kernel:0[1:3, 0]=2",
                          "-o", dst2])
        self.assertEqual(rc, 0, err)
        self.assert_same_h5(dst, dst2, {"model_weights/dense/dense/kernel:0": {1, 2}})

    def test_edit_of_a_keras3_weights_file_and_archive(self):
        import numpy as np
        d = keras_dir()
        name = "layers/dense/vars/1"
        for leaf in ("lstm_functional_keras3.weights.h5", "lstm_functional_keras3.keras"):
            with self.subTest(file=leaf):
                src = os.path.join(d, leaf)
                dst = self.out("edited_" + leaf)
                rc, _, err = run(["edit", src, "--add", "%s[0]=0.5" % name, "-o", dst])
                self.assertEqual(rc, 0, err)
                self.assert_same_h5(src, dst, {name: {0}})
                with open_h5(src) as a, open_h5(dst) as b:
                    self.assertEqual(b[name][0], np.float32(a[name][0] + np.float32(0.5)))
                if leaf.endswith(".keras"):
                    # Every other record byte-identical, in the same order.
                    self.assertEqual(zip_records(src), zip_records(dst))
                    with zipfile.ZipFile(dst) as z:
                        self.assertIsNone(z.testzip())

    def test_chunked_compressed_and_big_endian_datasets(self):
        """h5py writes a save_weights-style file with gzip+shuffle+fletcher32 chunks, a
        big-endian dataset and every string attribute type; an edit keeps all of it."""
        import h5py
        import numpy as np
        src = self.out("chunked.h5")
        rng = np.random.default_rng(7)
        with h5py.File(src, "w") as f:
            f.attrs["layer_names"] = np.array([b"dense", b"conv"])
            f.attrs["backend"] = "tensorflow"  # vlen UTF-8
            f.attrs["keras_version"] = np.bytes_(b"2.15.0")  # fixed ASCII
            f.attrs["note"] = np.array(["a", "bc"], dtype=h5py.string_dtype("ascii"))
            g = f.create_group("dense")
            g.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
            g.create_dataset("dense/kernel:0", data=rng.standard_normal((40, 30)).astype("f4"),
                             chunks=(8, 16), compression="gzip", compression_opts=6,
                             shuffle=True, fletcher32=True)
            g.create_dataset("dense/bias:0", data=rng.standard_normal(30).astype(">f4"))
            c = f.create_group("conv")
            c.attrs["weight_names"] = np.array([b"conv/kernel:0"])
            c.create_dataset("conv/kernel:0", data=rng.standard_normal((3, 3, 2)).astype(">f8"),
                             chunks=(1, 3, 2), compression="lzf")
        kernel, bias = "dense/dense/kernel:0", "dense/dense/bias:0"
        conv = "conv/conv/kernel:0"
        dst = self.out("chunked_edited.h5")
        rc, _, err = run(["edit", src, "--set", "%s[39,29]=1.5" % kernel,
                          "--set", "%s[2]=-3" % bias, "--add", "%s[2,2,1]=1" % conv, "-o", dst])
        self.assertEqual(rc, 0, err)
        self.assert_same_h5(src, dst, {kernel: {39 * 30 + 29}, bias: {2}, conv: {17}})
        with h5py.File(src, "r") as a, h5py.File(dst, "r") as b:
            self.assertEqual(float(b[kernel][39, 29]), 1.5)
            self.assertEqual(float(b[bias][2]), -3.0)
            self.assertEqual(b[bias].dtype.str, ">f4")
            self.assertEqual(float(b[conv][2, 2, 1]), float(a[conv][2, 2, 1]) + 1)

    def test_save_over_the_source(self):
        import h5py
        src = self.out("inplace.h5")
        shutil.copy(os.path.join(keras_dir(), "lstm_stacked_timeseries_keras2.h5"), src)
        rc, _, err = run(["edit", src, "--set", "model_weights/dense/dense/bias:0[0]=7", "-o", src])
        self.assertEqual(rc, 0, err)
        with h5py.File(src, "r") as f:
            self.assertEqual(float(f["model_weights/dense/dense/bias:0"][0]), 7.0)
        self.assertEqual(os.listdir(self.tmp), ["inplace.h5"])

    def require_oracle(self):
        if keras_oracle.unavailable_reason():
            print("SKIP: WS_KERAS_ORACLE is not set or has no node_modules (%r)" % ORACLE)
            self.skipTest("no keras oracle")

    def oracle_output(self, model, extra=()):
        """The Keras oracle's (tfjs) forward pass of `model` on a fixed random batch."""
        import numpy as np
        inp = self.out("input.json")
        if not os.path.exists(inp):
            rng = np.random.default_rng(3)
            with open(inp, "w") as f:
                json.dump({"shape": [2, 100, 1], "data": rng.random(200).tolist()}, f)
        target = self.out("oracle_out.json")
        proc = keras_oracle.run(model, inp, target, extra)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))
        with open(target) as f:
            out = json.load(f)
        os.remove(target)
        return out["shape"], np.array(out["data"], dtype=np.float32)

    def test_bias_edit_moves_the_keras_oracle_output(self):
        """The real forward pass (tfjs via the keras-oracle) of the edited model: adding d to
        the last Dense layer's bias adds d to the output and changes nothing else."""
        self.require_oracle()
        import numpy as np
        src = os.path.join(keras_dir(), "lstm_stacked_timeseries_keras2.h5")
        dst = self.out("bias.h5")
        d = 0.75
        rc, _, err = run(["edit", src, "--add", "model_weights/dense/dense/bias:0[0]=%r" % d,
                          "-o", dst])
        self.assertEqual(rc, 0, err)
        shape_a, a = self.oracle_output(src)
        shape_b, b = self.oracle_output(dst)
        self.assertEqual(shape_a, shape_b)
        np.testing.assert_allclose(b - a, np.full_like(a, d), rtol=0, atol=1e-5)

    def test_exported_weights_load_in_the_keras_oracle(self):
        """The .h5 export of a Keras 2 full model is a save_weights file Keras loads: with the
        source's model_config the oracle computes exactly the source's output."""
        self.require_oracle()
        import h5py
        import numpy as np
        src = os.path.join(keras_dir(), "lstm_stacked_timeseries_keras2.h5")
        dst = self.out("exported.h5")
        rc, _, err = run(["export", src, "-o", dst])
        self.assertEqual(rc, 0, err)
        config = self.out("model.json")
        with h5py.File(src, "r") as f, open(config, "w") as out:
            value = f.attrs["model_config"]
            out.write(value if isinstance(value, str) else value.decode())
        shape_a, a = self.oracle_output(src)
        shape_b, b = self.oracle_output(dst, ["--config", config])
        self.assertEqual(shape_a, shape_b)
        np.testing.assert_array_equal(a, b)

    # ------------------------------------------------------------ export

    def check_export(self, src, expect):
        """expect: dataset path in the export -> numpy array it must hold."""
        import h5py
        import numpy as np
        dst = self.out(os.path.basename(src) + ".export.h5")
        rc, _, err = run(["export", src, "-o", dst])
        self.assertEqual(rc, 0, err)
        with h5py.File(dst, "r") as f:
            names = [n.decode() for n in f.attrs["layer_names"]]
            self.assertEqual(f.attrs["backend"], b"tensorflow")
            self.assertTrue(f.attrs["keras_version"].startswith(b"2."))
            self.assertEqual(h5py.check_string_dtype(f.attrs.get_id("layer_names").dtype).length,
                             max(len(n) for n in names))
            seen = {}
            for layer in names:
                weight_names = [w.decode() for w in f[layer].attrs["weight_names"]]
                for w in weight_names:
                    seen[layer + "/" + w] = np.asarray(f[layer][w][()])
            # Every dataset is listed by a weight_names attribute and nothing else is there.
            datasets = []
            f.visititems(lambda n, o: datasets.append(n) if isinstance(o, h5py.Dataset) else None)
            self.assertEqual(sorted(datasets), sorted(seen))
        self.assertEqual(sorted(seen), sorted(expect))
        for name, value in expect.items():
            got = seen[name]
            self.assertEqual(got.shape, value.shape, name)
            self.assertEqual(got.dtype, ors.native(value).dtype, name)
            self.assertEqual(got.tobytes(), ors.native(value).tobytes(), name)
        return dst

    def test_export_pytorch_state_dict_to_keras_weights(self):
        src = os.path.join(ors.FIXTURES, "pytorch", "lstm_3layer_charlm_state_dict.pth")
        tensors = ors.torch_tensors(src)
        expect = {}
        for key, (array, _) in tensors.items():
            layer, leaf = key.rsplit(".", 1)
            expect["%s/%s/%s:0" % (layer, layer, leaf)] = array
        self.check_export(src, expect)

    def test_export_splits_long_name_lists_and_keeps_dtypes(self):
        """torch writes a state_dict whose module names exceed an HDF5 object header (64512
        bytes): layer_names is split into layer_names0, layer_names1, ... as Keras does; f16,
        i64 and bool keep their types, bf16 is widened to float32."""
        import h5py
        import numpy as np
        import torch
        src = self.out("many.pth")
        state = {}
        for i in range(1500):
            state["encoder.block_%04d.%s.weight" % (i, "m" * 40)] = torch.full((2,), float(i))
        state["mixed.half"] = torch.tensor([1.5, -2.25], dtype=torch.float16)
        state["mixed.brain"] = torch.tensor([1.5, -2.25, 3.0], dtype=torch.bfloat16)
        state["mixed.count"] = torch.tensor(7, dtype=torch.int64)
        state["mixed.mask"] = torch.tensor([True, False, True])
        torch.save(state, src)
        dst = self.out("many.h5")
        rc, out, err = run(["export", src, "-o", dst])
        self.assertEqual(rc, 0, err)
        self.assertIn("bf16", out + err)
        with h5py.File(dst, "r") as f:
            self.assertNotIn("layer_names", f.attrs)
            parts = []
            while "layer_names%d" % len(parts) in f.attrs:
                part = f.attrs["layer_names%d" % len(parts)]
                self.assertLessEqual(part.nbytes, 64512)
                parts.append(part)
            self.assertGreater(len(parts), 1)
            names = [n.decode() for p in parts for n in p]
            expected_layers = list(dict.fromkeys(k.rsplit(".", 1)[0] for k in state))
            self.assertEqual(names, expected_layers)
            g = f["mixed"]
            self.assertEqual([w.decode() for w in g.attrs["weight_names"]],
                             ["mixed/half:0", "mixed/brain:0", "mixed/count:0", "mixed/mask:0"])
            self.assertEqual(g["mixed/half:0"].dtype, np.dtype("<f2"))
            self.assertEqual(g["mixed/half:0"][()].tolist(), [1.5, -2.25])
            self.assertEqual(g["mixed/brain:0"].dtype, np.dtype("<f4"))
            self.assertEqual(g["mixed/brain:0"][()].tolist(), [1.5, -2.25, 3.0])
            self.assertEqual(g["mixed/count:0"].shape, ())
            self.assertEqual(g["mixed/count:0"][()], 7)
            self.assertEqual(g["mixed/mask:0"].dtype, np.dtype(bool))
            self.assertEqual(g["mixed/mask:0"][()].tolist(), [True, False, True])
            layer = expected_layers[1234]
            self.assertEqual(f[layer][layer + "/weight:0"][()].tolist(), [1234.0, 1234.0])

    def test_export_keras_model_keeps_layer_and_weight_names(self):
        import h5py
        src = os.path.join(keras_dir(), "lstm_char_text_weights_only_keras2_0.h5")
        expect = {}
        with h5py.File(src, "r") as f:
            for layer in [n.decode() for n in f.attrs["layer_names"]]:
                for w in f[layer].attrs["weight_names"]:
                    w = w.decode()
                    expect["%s/%s" % (layer, w)] = f[layer][w][()]
        self.check_export(src, expect)

    # ------------------------------------------------------------ failures

    def test_unwritable_destination_leaves_nothing(self):
        src = os.path.join(keras_dir(), "lstm_stacked_timeseries_keras2.h5")
        before = sha256(src)
        missing = self.out("no/such/dir/x.h5")
        rc, _, err = run(["edit", src, "--set", "model_weights/dense/dense/bias:0[0]=1",
                          "-o", missing])
        self.assertEqual(rc, 1, err)
        self.assertIn("x.h5", err)
        if os.geteuid() != 0:  # root writes into read-only folders anyway
            locked = self.out("locked")
            os.mkdir(locked)
            os.chmod(locked, 0o555)
            rc, _, err = run(["edit", src, "-o", os.path.join(locked, "x.h5")])
            self.assertEqual(rc, 1, err)
            self.assertEqual(os.listdir(locked), [])
        self.assertEqual(sha256(src), before)

    def test_file_size_limit_fails_cleanly(self):
        """A child with RLIMIT_FSIZE below the output size (SIGXFSZ ignored, so writes fail with
        EFBIG): exit 1, no output, no temporary file, the source unchanged."""
        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

        cases = [
            ("lstm_stacked_timeseries_keras2.h5",
             ["edit", "--set", "model_weights/dense/dense/bias:0[0]=1"], "out.h5"),
            ("lstm_stacked_timeseries_keras2.h5", ["edit"], "unchanged.h5"),
            ("lstm_functional_keras3.keras", ["edit", "--add", "layers/dense/vars/1[0]=1"],
             "out.keras"),
            ("lstm_stacked_timeseries_keras2.h5", ["export"], "export.h5"),
        ]
        for leaf, command, out_name in cases:
            with self.subTest(file=leaf, command=command[0], out=out_name):
                folder = self.out("limited_" + out_name.replace(".", "_"))
                os.mkdir(folder)
                src = os.path.join(folder, leaf)
                shutil.copy(os.path.join(keras_dir(), leaf), src)
                before = sha256(src)
                dst = os.path.join(folder, out_name)
                args = [ors.CLI, command[0], src] + command[1:] + ["-o", dst]
                proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      timeout=300, preexec_fn=limit)
                err = proc.stderr.decode(errors="replace")
                self.assertEqual(proc.returncode, 1, err)
                self.assertIn(out_name, err)
                self.assertEqual(sorted(os.listdir(folder)), [leaf])
                self.assertEqual(sha256(src), before)


if __name__ == "__main__":
    if SKIP:
        print("SKIP: " + SKIP)
    unittest_main.main()
