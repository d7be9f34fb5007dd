# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for the black-box format tests: where the CLI and the fixtures are, how to run
`weightsmith-cli inspect`, and what real torch / h5py say a file contains.

The oracles are the real libraries (Debian's torch 1.13 and h5py 3.7 under /usr/bin/python3);
nothing here re-implements a file format. Tensor paths follow the brief: a state_dict key as
torch has it, dict keys of a checkpoint joined with "/", HDF5 dataset paths without the leading
"/", and paths inside model.weights.h5 for a .keras archive.
"""
import contextlib
import importlib.util
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
import zipfile

CLI = os.environ.get("WS_CLI", "")
FIXTURES = os.environ.get("WS_FIXTURES", "")
EXAMPLES = os.environ.get("WS_EXAMPLES", "")
SANITIZED = os.environ.get("WS_SANITIZED", "0").lower() in ("1", "on", "true", "yes")

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def skip_reason():
    """Why the fixture-based tests cannot run here, or None when they can."""
    if not CLI or not os.path.isfile(CLI):
        return "WS_CLI is not set or does not exist (%r)" % CLI
    if not FIXTURES or not os.path.isdir(FIXTURES):
        return "WS_FIXTURES is not set or missing (%r); the shared fixtures are absent" % FIXTURES
    return None


def fixture_files():
    """Every model file among the fixtures (JSON companions skipped), sorted."""
    files = []
    pt = os.path.join(FIXTURES, "pytorch")
    if os.path.isdir(pt):
        files += [os.path.join(pt, f) for f in sorted(os.listdir(pt))]
    ks = os.path.join(FIXTURES, "keras")
    if os.path.isdir(ks):
        files += [os.path.join(ks, f) for f in sorted(os.listdir(ks))
                  if f.endswith(".h5") or f.endswith(".keras")]
    return [f for f in files if os.path.isfile(f)]


def example_files():
    """The bundled examples in resources/examples (PyTorch files)."""
    if not EXAMPLES or not os.path.isdir(EXAMPLES):
        return []
    return [os.path.join(EXAMPLES, f) for f in sorted(os.listdir(EXAMPLES)) if f.endswith(".pth")]


def run_cli(args, timeout=60, env=None):
    return subprocess.run([CLI] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, env=env)


def inspect_json(path, extra=()):
    proc = run_cli(["inspect", path, "--json"] + list(extra))
    if proc.returncode != 0:
        raise AssertionError("inspect --json %s exited %d: %s" %
                             (path, proc.returncode, proc.stderr.decode(errors="replace")))
    return json.loads(proc.stdout.decode("utf-8"))


def walk_nodes(node):
    yield node
    for child in node.get("children", []):
        yield from walk_nodes(child)


def tensor_nodes(doc):
    """path -> node for every tensor node in an `inspect --json` document."""
    out = {}
    for node in walk_nodes(doc["tree"]):
        if node.get("kind") == "tensor":
            if node["path"] in out:
                raise AssertionError("duplicate tensor path %r" % node["path"])
            out[node["path"]] = node
    return out


def cli_tensor(path, tensor_path, workdir):
    """The tensor as `inspect --tensor PATH --npy OUT` writes it."""
    import numpy as np
    fd, out = tempfile.mkstemp(suffix=".npy", dir=workdir)
    os.close(fd)
    try:
        proc = run_cli(["inspect", path, "--tensor", tensor_path, "--npy", out])
        if proc.returncode != 0:
            raise AssertionError("inspect --tensor %r --npy of %s exited %d: %s" %
                                 (tensor_path, path, proc.returncode,
                                  proc.stderr.decode(errors="replace")))
        return np.load(out, allow_pickle=False)
    finally:
        os.unlink(out)


# ---------------------------------------------------------------------------- torch oracle

@contextlib.contextmanager
def _stub_main_classes():
    """Lets torch.load unpickle whole modules whose classes were defined in the saving script's
    __main__ (which this process does not have): while active, a missing attribute of __main__
    resolves to an empty nn.Module subclass of that name. nn.Module's own __setstate__ restores
    parameters, buffers and submodules, so state_dict() works on the result.

    (Debian's torch 1.13 ignores torch.load(pickle_module=...) unless weights_only=True, so a
    custom Unpickler.find_class cannot be used; a module-level __getattr__ (PEP 562) is what
    pickle's own find_class consults.)"""
    import torch.nn as nn
    main = sys.modules["__main__"]
    stubs = {}

    def stub(name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in stubs:
            stubs[name] = type(name, (nn.Module,), {"__module__": "__main__"})
        return stubs[name]

    had = "__getattr__" in vars(main)
    old = vars(main).get("__getattr__")
    main.__getattr__ = stub
    try:
        yield
    finally:
        if had:
            main.__getattr__ = old
        else:
            del main.__getattr__


def _torch_load(path):
    import torch
    with _stub_main_classes(), open(path, "rb") as f:
        return torch.load(f, map_location="cpu")


def _flatten_torch(obj, prefix, out):
    import torch
    import torch.nn as nn

    def join(key):
        return "%s/%s" % (prefix, key) if prefix else str(key)

    if isinstance(obj, torch.Tensor):
        out[prefix] = obj
    elif isinstance(obj, nn.Module):
        for key, value in obj.state_dict(keep_vars=True).items():
            out[join(key)] = value
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _flatten_torch(value, join(key), out)
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            _flatten_torch(value, join(i), out)


_TORCH_DTYPE_NAMES = {"float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64",
                      "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8",
                      "bool": "bool"}
_NUMPY_DTYPE_NAMES = {"float16": "f16", "float32": "f32", "float64": "f64", "int8": "i8",
                      "int16": "i16", "int32": "i32", "int64": "i64", "uint8": "u8", "bool": "bool"}


def _to_numpy(t):
    """(array, contract dtype name); bf16 is widened to float32 exactly as the CLI's .npy is."""
    import torch
    t = t.detach().cpu()
    name = _TORCH_DTYPE_NAMES.get(str(t.dtype).replace("torch.", ""), str(t.dtype))
    if t.dtype == torch.bfloat16:
        t = t.to(torch.float32)
    return t.contiguous().numpy(), name


def _is_torchscript(path):
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        return any(n.endswith("/constants.pkl") or n == "constants.pkl" for n in z.namelist())


def torch_tensors(path):
    """path -> (numpy array, dtype name) for every tensor real torch finds in the file."""
    import torch
    if _is_torchscript(path):
        obj = torch.jit.load(path, map_location="cpu").state_dict()
    else:
        obj = _torch_load(path)
    flat = {}
    _flatten_torch(obj, "", flat)
    return {k: _to_numpy(v) for k, v in flat.items()}


def torch_module_classes(path):
    """Class names of every module in a whole pickled model (stubs keep their own names)."""
    import torch.nn as nn
    obj = _torch_load(path)
    if not isinstance(obj, nn.Module):
        return set()
    return {type(m).__name__ for m in obj.modules()}


_generated_ids = itertools.count()


def run_generated_module(module_path, pth_path, x):
    """Builds the ConvertedModel of a module file written by `convert --emit-module` in real
    torch, loads the export into it with strict=True (every key present, no extra ones), and runs
    x (a numpy array already in the module's input layout) in float64 eval mode. Returns the
    output as a numpy array."""
    import numpy as np
    import torch
    # A fresh module name each time: several generated files are loaded into one process.
    spec = importlib.util.spec_from_file_location("ws_generated_%d" % next(_generated_ids),
                                                  module_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = mod.ConvertedModel()
    model.load_state_dict(torch.load(pth_path, weights_only=True), strict=True)
    model.double().eval()
    with torch.no_grad():
        return model(torch.from_numpy(np.ascontiguousarray(x)).double()).numpy()


# ---------------------------------------------------------------------------- h5py oracle

def _h5_datasets(h5file):
    import h5py
    import numpy as np
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            a = np.asarray(obj[()])
            out[name] = (a, _NUMPY_DTYPE_NAMES.get(a.dtype.name, a.dtype.name))

    h5file.visititems(visit)
    return out


def keras_tensors(path):
    """path -> (numpy array, dtype name) for every HDF5 dataset (in model.weights.h5 for .keras)."""
    import h5py
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            data = z.read("model.weights.h5")
        with h5py.File(io.BytesIO(data), "r") as f:
            return _h5_datasets(f)
    with h5py.File(path, "r") as f:
        return _h5_datasets(f)


def is_keras_file(path):
    with open(path, "rb") as f:
        head = f.read(8)
    if head == HDF5_MAGIC:
        return True
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return "model.weights.h5" in z.namelist()
    return False


def oracle_tensors(path):
    return keras_tensors(path) if is_keras_file(path) else torch_tensors(path)


def native(a):
    """The array in native byte order (h5py hands out big-endian datasets as stored)."""
    foreign = ">" if sys.byteorder == "little" else "<"
    return a.astype(a.dtype.newbyteorder("=")) if a.dtype.byteorder == foreign else a


def seed_model_class():
    """The bundled seed model's nn.Module class (resources/examples/README.md,
    scripts/make_seed_example.py) defined in real torch: LSTM(1, 50, 4 layers) -> Dropout ->
    Linear(50, 1) on the last step."""
    import torch.nn as nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, 50, num_layers=4, dropout=0.2, batch_first=True)
            self.dropout = nn.Dropout(0.2)
            self.linear = nn.Linear(50, 1)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.linear(self.dropout(out[:, -1, :]))

    return Model
