# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes Keras 1/2 HDF5 weight files with h5py, string storage included.

Keras eras store the same strings differently, and readers must cope with every variant, so a
stand-in has to reproduce them: root backend/keras_version are variable-length ASCII (Keras <=
2.1, save_weights) or UTF-8 (tf.keras model.save); layer_names/weight_names are fixed-length
ASCII arrays (Keras 1, 2.0-2.4) or variable-length ASCII (2.5+); a layer without weights has
an empty float array as weight_names. `model.save` puts the layers under /model_weights and
adds model_config, training_config and /optimizer_weights; `save_weights` puts them at the root.

Run with /usr/bin/python3 (Debian's h5py and numpy).
"""
import json
from dataclasses import dataclass
from typing import Optional

VLEN_ASCII = "vlen-ascii"
VLEN_UTF8 = "vlen-utf8"
FIXED = "fixed"


def put_text(obj, name, text, kind):
    """A scalar string attribute stored as `kind` (VLEN_ASCII or VLEN_UTF8)."""
    import h5py
    encoding = "utf-8" if kind == VLEN_UTF8 else "ascii"
    obj.attrs.create(name, text, dtype=h5py.string_dtype(encoding))


def put_names(obj, name, names, kind):
    """A 1-D list of names (layer_names, weight_names) stored as `kind` (FIXED or VLEN_ASCII).
    Empty lists are an empty float array, as Keras writes np.asarray([])."""
    import h5py
    import numpy as np
    if not names:
        obj.attrs[name] = np.zeros((0,), dtype=np.float64)
    elif kind == FIXED:
        obj.attrs[name] = np.array([n.encode("ascii") for n in names])  # |S<longest>
    else:
        obj.attrs.create(name, [n.encode("ascii") for n in names],
                         dtype=h5py.string_dtype("ascii"))


@dataclass
class KerasH5:
    """One Keras HDF5 file. layers: [(layer name, [(weight name, array)])] in layer_names order;
    a weight name is the dataset path below the layer group ("lstm/lstm_cell/kernel:0")."""
    layers: list
    keras_version: Optional[str] = None  # None: Keras 1 weights-only files have neither attr
    backend: Optional[str] = "tensorflow"
    version_kind: str = VLEN_ASCII  # root backend / keras_version
    names_kind: str = FIXED  # layer_names / weight_names
    model_config: Optional[dict] = None
    training_config: Optional[dict] = None
    optimizer: Optional[list] = None  # [(weight name, array)] under /optimizer_weights
    top_level_model_weights: bool = False  # Keras >= 2.12 adds this empty group


def _write_group_weights(group, weights, spec):
    """Contiguous datasets, as Keras writes them (it never chunks or compresses)."""
    put_names(group, "weight_names", [name for name, _ in weights], spec.names_kind)
    for name, value in weights:
        group.create_dataset(name, data=value)


def _write_layers(parent, spec):
    put_names(parent, "layer_names", [name for name, _ in spec.layers], spec.names_kind)
    for name, weights in spec.layers:
        _write_group_weights(parent.create_group(name), weights, spec)
    if spec.top_level_model_weights:
        _write_group_weights(parent.create_group("top_level_model_weights"), [], spec)


def _write_versions(obj, spec, kind):
    if spec.backend is not None:
        put_text(obj, "backend", spec.backend, kind)
    if spec.keras_version is not None:
        put_text(obj, "keras_version", spec.keras_version, kind)


def write_full_model(path, spec):
    """The layout of `model.save("x.h5")` in Keras 2 / tf.keras."""
    import h5py
    with h5py.File(path, "w") as f:
        _write_versions(f, spec, spec.version_kind)
        put_text(f, "model_config", json.dumps(spec.model_config), VLEN_ASCII)
        if spec.training_config is not None:
            put_text(f, "training_config", json.dumps(spec.training_config), VLEN_ASCII)
        weights = f.create_group("model_weights")
        _write_versions(weights, spec, VLEN_ASCII)  # always ASCII here, whatever the root has
        _write_layers(weights, spec)
        if spec.optimizer is not None:
            _write_group_weights(f.create_group("optimizer_weights"), spec.optimizer, spec)


def write_weights_only(path, spec):
    """The layout of `model.save_weights("x.h5")` (Keras 1 and 2): layer groups at the root."""
    import h5py
    with h5py.File(path, "w") as f:
        _write_versions(f, spec, spec.version_kind)
        _write_layers(f, spec)


def write_json(path, document, **dump_options):
    """A `model.to_json()` companion file."""
    with open(path, "w") as f:
        json.dump(document, f, **dump_options)
