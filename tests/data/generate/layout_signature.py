# SPDX-License-Identifier: GPL-3.0-or-later
"""The layout of a weight file, without its values: what a generated stand-in must share with the
public file it stands in for (tests/formats/test_generated_layouts.py compares the two where
../shared/fixtures/real is present).

- HDF5 (.h5): every group and dataset path with shape and dtype; every attribute with how it is
  stored (fixed-length or variable-length string, ASCII or UTF-8, numeric) and its shape; the
  values of the small string attributes Keras reads (layer_names, weight_names, backend);
  for model_config / training_config the list of layer (class_name, name) pairs.
- .keras (zip): the entry names, the embedded model.weights.h5's HDF5 layout, and config.json's
  layer (class_name, name) pairs.
- PyTorch: the container kind (zip archive, legacy pickle stream, TorchScript) and every tensor
  as torch loads it: key, shape, dtype; for a whole pickled model or a TorchScript archive, the
  class of every module (classes this process cannot import are loaded as inert stand-ins that
  keep their names, so a model pickled from a script's __main__ still has a layout).

Run with /usr/bin/python3 (Debian's torch, h5py and numpy).
"""
import io
import json
import zipfile


def _string_kind(attr_id):
    """'vlen-ascii', 'vlen-utf8', 'fixed-ascii', 'fixed-utf8' or the numeric class name."""
    import h5py
    dtype = attr_id.get_type()
    if isinstance(dtype, h5py.h5t.TypeStringID):
        vlen = dtype.is_variable_str()
        cset = "utf8" if dtype.get_cset() == h5py.h5t.CSET_UTF8 else "ascii"
        return ("vlen-" if vlen else "fixed-") + cset
    return type(dtype).__name__


def _decode(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "tolist"):
        return [_decode(v) for v in value.tolist()] if hasattr(value, "__len__") else value.tolist()
    if isinstance(value, (list, tuple)):
        return [_decode(v) for v in value]
    return value


def _config_layers(text):
    """(class_name, name) of every layer in a Keras model config, nested models included."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            cls = node.get("class_name")
            cfg = node.get("config")
            if isinstance(cls, str) and isinstance(cfg, dict) and "name" in cfg:
                found.append((cls, cfg["name"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(text))
    return found


VALUE_ATTRS = {"layer_names", "weight_names", "backend"}
CONFIG_ATTRS = {"model_config", "training_config"}


def hdf5_layout(source):
    """source: a path or a file-like object."""
    import h5py
    out = []
    with h5py.File(source, "r") as f:
        def attrs_of(path, obj):
            for name in sorted(obj.attrs.keys()):
                aid = h5py.h5a.open(obj.id, name.encode())
                entry = ("attr", path, name, _string_kind(aid), tuple(aid.shape))
                value = obj.attrs[name]
                if name in VALUE_ATTRS:
                    entry += (json.dumps(_decode(value)),)
                elif name in CONFIG_ATTRS:
                    entry += (json.dumps(_config_layers(_decode(value))),)
                out.append(entry)

        attrs_of("/", f)

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                # Storage too: a reader takes other paths for chunked or compressed data.
                out.append(("dataset", name, tuple(obj.shape), str(obj.dtype), obj.chunks,
                            obj.compression))
            else:
                out.append(("group", name))
            attrs_of(name, obj)

        f.visititems(visit)
    return out


def keras_archive_layout(path):
    with zipfile.ZipFile(path) as z:
        names = sorted(z.namelist())
        out = [("entries", tuple(names))]
        if "config.json" in names:
            out.append(("config", tuple(_config_layers(z.read("config.json").decode()))))
        if "model.weights.h5" in names:
            out += hdf5_layout(io.BytesIO(z.read("model.weights.h5")))
    return out


def torch_layout(path):
    import torch
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        with zipfile.ZipFile(path) as z:
            entries = [n.split("/", 1)[1] for n in z.namelist() if "/" in n]
        kind = "torchscript" if any(e.startswith("code/") for e in entries) else "zip"
    else:
        kind = "legacy"
    out = [("container", kind)]
    if kind == "torchscript":
        module = torch.jit.load(path, map_location="cpu")
        items = list(module.state_dict().items())
        out += _script_module_classes(module)
    else:
        obj = _load_inert(path)
        items = list(_tensors(obj, ""))
        out += _module_classes(obj)
    for key, tensor in sorted(items, key=lambda kv: kv[0]):
        out.append(("tensor", key, tuple(tensor.shape), str(tensor.dtype)))
    return out


def _inert_class(module, name):
    """An empty nn.Module subclass standing in for a class this process cannot import (a whole
    model pickled from the saving script's __main__, or from a package that is not installed).
    nn.Module's __setstate__ restores parameters, buffers and submodules, so state_dict() sees
    every tensor the real class would; the original module and name are kept for the layout."""
    import torch.nn as nn

    def __init__(self, *args, **kwargs):  # a REDUCE may pass constructor arguments: ignore them
        nn.Module.__init__(self)

    def __setstate__(self, state):
        if isinstance(state, dict):
            nn.Module.__setstate__(self, state)
        else:  # not a module's state: keep it, without interpreting it
            nn.Module.__init__(self)
            self.inert_state = state

    return type(name, (nn.Module,), {"__module__": module, "__qualname__": name,
                                     "__init__": __init__, "__setstate__": __setstate__})


def _inert_pickle_module():
    """A pickle module for torch.load whose Unpickler resolves classes it cannot import to
    _inert_class stand-ins, and everything else as pickle does."""
    import pickle
    import types
    stand_ins = {}

    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            try:
                return super().find_class(module, name)
            except (ImportError, AttributeError):
                key = (module, name)
                if key not in stand_ins:
                    stand_ins[key] = _inert_class(module, name)
                return stand_ins[key]

    inert = types.ModuleType("inert_pickle")
    inert.__dict__.update({k: v for k, v in vars(pickle).items() if not k.startswith("__")})
    inert.Unpickler = Unpickler
    return inert


def _load_inert(path):
    """torch.load with _inert_pickle_module, so a whole model loads without its class.

    Debian's torch 1.13 replaces any pickle_module by the standard pickle unless weights_only is
    set (torch.load's `else: pickle_module = pickle`), so the module torch.serialization calls
    `pickle` is swapped as well while loading; newer torch honours the argument."""
    import torch
    import torch.serialization as serialization
    inert = _inert_pickle_module()
    saved = serialization.pickle
    serialization.pickle = inert
    try:
        return torch.load(path, map_location="cpu", pickle_module=inert, weights_only=False)
    finally:
        serialization.pickle = saved


def _module_classes(obj):
    """("module", path, "module.Class") for every module of a whole pickled model."""
    import torch.nn as nn
    if not isinstance(obj, nn.Module):
        return []
    return [("module", name, "%s.%s" % (type(m).__module__, type(m).__qualname__))
            for name, m in obj.named_modules()]


def _script_module_classes(module):
    """("module", path, class name) for every module of a TorchScript archive. The name as
    written in the source, since the qualified name carries a per-process mangling counter
    (__torch__.torch.nn.modules.linear.___torch_mangle_N.Linear)."""
    return [("module", name, m.original_name) for name, m in module.named_modules()]


def _tensors(obj, prefix):
    import torch
    if isinstance(obj, torch.Tensor):
        yield prefix, obj
    elif isinstance(obj, torch.nn.Module):
        yield from _tensors(obj.state_dict(), prefix)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from _tensors(value, "%s/%s" % (prefix, key) if prefix else str(key))
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _tensors(value, "%s/%d" % (prefix, i) if prefix else str(i))


def layout(path):
    """The layout of any fixture file, by its name."""
    if path.endswith(".keras"):
        return keras_archive_layout(path)
    if path.endswith(".h5") or path.endswith(".hdf5"):
        return hdf5_layout(path)
    if path.endswith(".json"):
        with open(path) as f:
            return [("config", tuple(_config_layers(f.read())))]
    return torch_layout(path)


def differences(real, generated):
    """Human-readable lines naming what the two layouts do not share (empty when equal)."""
    a, b = set(layout(real)), set(layout(generated))
    lines = ["only in the real file:      %r" % (e,) for e in sorted(a - b, key=repr)]
    lines += ["only in the generated file: %r" % (e,) for e in sorted(b - a, key=repr)]
    return lines
