#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the two ~1 GiB benchmark inputs with the real libraries (never committed):

  bench_state_dict.pth  torch.save(state_dict) of LAYERS Linear(4096, 4096) layers
  bench_keras2_full.h5  the same weights as a Keras 2 full-model .h5 (h5py writing Keras 2's
                        layout: root model_config / keras_version / backend, model_weights with
                        layer_names, per-layer weight_names, datasets <layer>/<layer>/kernel:0)

  make_bench_files.py OUTDIR [--layers 16]
"""
import argparse
import json
import os

import h5py
import numpy as np
import torch

WIDTH = 4096


def keras2_model_config(layers):
    dense = [{"class_name": "Dense",
              "config": {"name": "dense_%d" % i, "trainable": True, "dtype": "float32",
                         "units": WIDTH, "activation": "relu", "use_bias": True,
                         "kernel_initializer": {"class_name": "GlorotUniform",
                                                "config": {"seed": None}},
                         "bias_initializer": {"class_name": "Zeros", "config": {}},
                         "kernel_regularizer": None, "bias_regularizer": None,
                         "activity_regularizer": None, "kernel_constraint": None,
                         "bias_constraint": None}} for i in range(layers)]
    inp = {"class_name": "InputLayer",
           "config": {"batch_input_shape": [None, WIDTH], "dtype": "float32", "sparse": False,
                      "ragged": False, "name": "dense_0_input"}}
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": [inp] + dense}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir")
    parser.add_argument("--layers", type=int, default=16)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    torch.manual_seed(0)
    state = {}
    for i in range(args.layers):
        state["layers.%d.weight" % i] = torch.randn(WIDTH, WIDTH) * 0.02
        state["layers.%d.bias" % i] = torch.zeros(WIDTH)
    torch.save(state, os.path.join(args.outdir, "bench_state_dict.pth"))

    with h5py.File(os.path.join(args.outdir, "bench_keras2_full.h5"), "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(keras2_model_config(args.layers))
        mw = f.create_group("model_weights")
        mw.attrs["keras_version"] = "2.15.0"
        mw.attrs["backend"] = "tensorflow"
        names = ["dense_%d" % i for i in range(args.layers)]
        mw.attrs["layer_names"] = np.array([n.encode() for n in names])
        for i, name in enumerate(names):
            g = mw.create_group(name)
            g.attrs["weight_names"] = np.array([("%s/kernel:0" % name).encode(),
                                                ("%s/bias:0" % name).encode()])
            # Keras stores Dense kernels as (in, out): the transpose of torch's (out, in).
            g.create_dataset("%s/kernel:0" % name,
                             data=state["layers.%d.weight" % i].t().contiguous().numpy())
            g.create_dataset("%s/bias:0" % name, data=state["layers.%d.bias" % i].numpy())
    for name in ("bench_state_dict.pth", "bench_keras2_full.h5"):
        path = os.path.join(args.outdir, name)
        print("%s: %.1f MiB" % (path, os.path.getsize(path) / 2**20))


if __name__ == "__main__":
    main()
