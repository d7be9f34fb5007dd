# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes small Keras 2 full-model .h5 files (the layout of tf.keras `model.save('x.h5')`) with
h5py, for layer kinds no shared fixture has: the architecture JSON in the root attribute
model_config, each layer's weights under /model_weights/<layer>/<layer>/<weight>:0 listed in
its weight_names attribute. Values come from the caller (random), so the files are real Keras
files that the Keras oracle (TensorFlow.js) and our reader both load.
"""
import json


def layer(class_name, name, **config):
    """A Keras 2 layer entry: {"class_name", "config": {"name", "trainable", "dtype", ...}}."""
    config.update({"name": name, "trainable": True, "dtype": "float32"})
    return {"class_name": class_name, "config": config}


def write_sequential(path, input_shape, layers, weights):
    """layers: entries from layer(); weights: {layer name: [(weight name, float32 array)]} in
    Keras' weight order (kernel, bias / gamma, beta / depthwise_kernel, pointwise_kernel, bias)."""
    import h5py
    import numpy as np
    entries = [{"class_name": "InputLayer",
                "config": {"batch_input_shape": [None] + list(input_shape), "dtype": "float32",
                           "sparse": False, "ragged": False, "name": "input_1"}}] + layers
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": entries},
              "keras_version": "2.15.0", "backend": "tensorflow"}
    names = [entry["config"]["name"] for entry in layers]
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.15.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = np.array([n.encode() for n in names])
        group.attrs["backend"] = b"tensorflow"
        group.attrs["keras_version"] = b"2.15.0"
        for name in names:
            layer_group = group.create_group(name)
            listed = ["%s/%s:0" % (name, w) for w, _ in weights.get(name, [])]
            layer_group.attrs["weight_names"] = np.array([w.encode() for w in listed], dtype="S")
            for full, (_, values) in zip(listed, weights.get(name, [])):
                layer_group.create_dataset(full, data=np.asarray(values, dtype=np.float32))
