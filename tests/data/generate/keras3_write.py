# SPDX-License-Identifier: GPL-3.0-or-later
"""Writers for the Keras 3 stand-ins: the legacy HDF5 full model (`model.save("x.h5")` under
Keras 3), the `x.weights.h5` / model.weights.h5 layout and the native `.keras` zip, plus the
seeded values that fill them.

HDF5 string storage is part of the layout readers must cope with, so every string attribute is
written with an explicit type, the ones Keras 3 (through h5py) leaves in its files:
- root backend / keras_version: variable-length UTF-8 (Keras assigns str);
- root model_config / training_config, and everything under model_weights and
  optimizer_weights: variable-length ASCII (Keras assigns bytes);
- a layer without weights: weight_names is an empty float64 array of shape (0,);
- `vars` groups of the .weights.h5 layout: a variable-length UTF-8 `name`.
"""
import io
import json
import re
import zipfile

import h5py
import numpy as np

VLEN_ASCII = h5py.string_dtype("ascii")
VLEN_UTF8 = h5py.string_dtype("utf-8")


# ----------------------------------------------------------------------------- strings

def set_string(obj, name, text, dtype):
    obj.attrs.create(name, text, dtype=dtype)


def set_names(obj, name, names):
    """A list of names as Keras 3 stores layer_names / weight_names (vlen ASCII), or the empty
    float array Keras leaves when there is nothing to list."""
    if names:
        obj.attrs.create(name, np.array(names, dtype=VLEN_ASCII))
    else:
        obj.attrs.create(name, np.zeros((0,), dtype=np.float64))


def snake_case(class_name):
    """Keras 3's name for an object of a class (QDense -> q_dense, Conv1D -> conv1d): a
    boundary before each capitalised word, then between a lower-case letter and a capital."""
    words = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


def weight_group_names(class_names):
    """The `layers/<name>` groups Keras 3 gives a container's layers: the class in snake case,
    numbered from the second of a kind on (dense, dense_1, ...), whatever the layers' own names."""
    seen = {}
    out = []
    for class_name in class_names:
        base = snake_case(class_name)
        count = seen.get(base, 0)
        out.append(base if count == 0 else "%s_%d" % (base, count))
        seen[base] = count + 1
    return out


# ----------------------------------------------------------------------------- values

def _fans(shape):
    """Keras' fan-in / fan-out: the last two axes, times the receptive field of a kernel."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


# Trained kernels spread wider than Keras' initial Glorot range. At the initial scale these
# small models answer ~0.01 to any input, too little for a wrong conversion rule (gates in the
# wrong order, a bias added twice) to stand out against the tests' 1e-4 tolerance; twice the
# range gives outputs near 1 without saturating the sigmoid heads.
TRAINED_SPREAD = 2.0


def glorot(rng, shape):
    fan_in, fan_out = _fans(shape)
    limit = TRAINED_SPREAD * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def orthogonal_rows(rng, shape):
    """A recurrent kernel (units, gates*units) with orthonormal rows, like Keras' Orthogonal."""
    rows, cols = shape
    q, r = np.linalg.qr(rng.standard_normal((cols, rows)))
    return (q * np.sign(np.diag(r))).T


def lstm_bias(rng, shape):
    """Blocks i, f, c, o: the forget block near 1 (unit_forget_bias), the rest near 0. The
    spread keeps bias mistakes (e.g. a bias added twice) visible in a forward pass."""
    units = shape[0] // 4
    bias = rng.normal(0.0, 0.1, size=shape)
    bias[units:2 * units] += 1.0
    return bias


VALUE_KINDS = {
    "glorot": glorot,
    "recurrent": orthogonal_rows,
    "lstm_bias": lstm_bias,
    "bias": lambda rng, shape: rng.normal(0.0, 0.1, size=shape),
    "embedding": lambda rng, shape: rng.uniform(-0.05, 0.05, size=shape),
}


def make_value(rng, kind, shape):
    return VALUE_KINDS[kind](rng, tuple(shape)).astype(np.float32)


def adam_slots(rng, value):
    """Adam's momentum (signed, small) and velocity (positive, smaller) for one variable."""
    momentum = rng.normal(0.0, 1e-3, size=value.shape).astype(np.float32)
    velocity = (rng.standard_normal(value.shape) * 1e-3) ** 2
    return momentum, velocity.astype(np.float32)


def adam_state(rng, values, iteration):
    """[iteration, learning_rate, m0, v0, m1, v1, ...]: the order of Keras 3's Adam variables."""
    out = [np.int64(iteration), np.float32(1e-3)]
    for value in values:
        out += adam_slots(rng, value)
    return out


# ----------------------------------------------------------------------------- legacy HDF5

def write_legacy_h5(path, model):
    """A Keras 3 legacy full-model HDF5 file.

    model: dict with keras_version, model_config, training_config, layers and adam.
    layers: [(layer name, [(weight path, array), ...])] in model order; a weight path is the
    variable's Keras 3 path (`sequential/lstm/lstm_cell/kernel`), stored under the layer's group.
    adam: the adam_state list, matched to the weights in layer order.
    """
    with h5py.File(path, "w") as f:
        set_string(f, "backend", "tensorflow", VLEN_UTF8)
        set_string(f, "keras_version", model["keras_version"], VLEN_UTF8)
        set_string(f, "model_config", json.dumps(model["model_config"]), VLEN_ASCII)
        set_string(f, "training_config", json.dumps(model["training_config"]), VLEN_ASCII)
        weights = f.create_group("model_weights")
        _write_legacy_layers(weights, model["keras_version"], model["layers"])
        paths = [wpath for _, layer in model["layers"] for wpath, _ in layer]
        _write_legacy_adam(f.create_group("optimizer_weights"), paths, model["adam"])


def _write_legacy_layers(group, keras_version, layers):
    set_string(group, "backend", "tensorflow", VLEN_ASCII)
    set_string(group, "keras_version", keras_version, VLEN_ASCII)
    set_names(group, "layer_names", [name for name, _ in layers])
    for name, weights in layers:
        layer = group.create_group(name)
        set_names(layer, "weight_names", [wpath for wpath, _ in weights])
        for wpath, value in weights:
            layer.create_dataset(wpath, data=value)
    # Keras 3 always adds this group for the model's own (here: no) variables.
    set_names(group.create_group("top_level_model_weights"), "weight_names", [])


def _write_legacy_adam(group, weight_paths, state):
    """optimizer_weights/adam/<variable path with / as _>_momentum|_velocity."""
    names = ["adam/iteration", "adam/learning_rate"]
    for wpath in weight_paths:
        flat = wpath.replace("/", "_")
        names += ["adam/%s_momentum" % flat, "adam/%s_velocity" % flat]
    set_names(group, "weight_names", names)
    for name, value in zip(names, state):
        group.create_dataset(name, data=value)


# ----------------------------------------------------------------------------- .weights.h5

def write_weights_h5(target, model_name, groups, optimizer_state=None):
    """The Keras 3 `save_weights` layout: `layers/<group>[/cell]/vars/<i>`, each `vars` group
    named after the object it belongs to; the model's own `vars` at the root; optional
    `optimizer/vars/<i>`. No root attributes.

    groups: [(group name, layer name, cell name or None, [array, ...])] in model order.
    target: a path or a binary file object.
    """
    with h5py.File(target, "w") as f:
        for group_name, layer_name, cell_name, values in groups:
            layer = f.create_group("layers/" + group_name)
            holder = layer
            if cell_name is not None:
                # A recurrent layer keeps its variables on its cell; the layer's vars stay empty.
                set_string(layer.create_group("vars"), "name", layer_name, VLEN_UTF8)
                holder = layer.create_group("cell")
            _write_vars(holder, cell_name or layer_name, values)
        _write_vars(f, model_name, [])
        if optimizer_state is not None:
            _write_vars(f.create_group("optimizer"), "adam", optimizer_state)


def _write_vars(parent, name, values):
    group = parent.create_group("vars")
    set_string(group, "name", name, VLEN_UTF8)
    for i, value in enumerate(values):
        group.create_dataset(str(i), data=value)


def weights_h5_bytes(model_name, groups, optimizer_state=None):
    buffer = io.BytesIO()
    write_weights_h5(buffer, model_name, groups, optimizer_state)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- .keras

# Keras 3 opens each entry with ZipFile.open(name, "w"): stored, the zip epoch as date, rw-------.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
ENTRY_MODE = 0o600 << 16


def _entry(name, date_time):
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = ENTRY_MODE
    return info


def write_keras_archive(path, keras_version, saved, config, weights_bytes):
    """metadata.json, config.json and model.weights.h5, in that order, all stored.

    saved: (year, month, day, hour, minute, second) of the save; Keras writes the weights file
    to disk first and adds it with that modification time, the two JSON entries carry the epoch.
    """
    metadata = {"keras_version": keras_version,
                "date_saved": "%04d-%02d-%02d@%02d:%02d:%02d" % tuple(saved)}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(_entry("metadata.json", ZIP_EPOCH), json.dumps(metadata))
        z.writestr(_entry("config.json", ZIP_EPOCH), json.dumps(config))
        z.writestr(_entry("model.weights.h5", tuple(saved)), weights_bytes)
