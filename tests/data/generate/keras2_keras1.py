# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-ins for the unlicensed Keras 1 weights-only files of ../shared/fixtures/real.

Keras 1 `save_weights` files have no backend/keras_version attributes, store fixed-length name
lists, and keep one array per gate named after the layer (`lstm_1_W_i:0`, `gru_1_U_z:0`)
directly in the layer group; the `:0` suffix comes from the TensorFlow backend.
"""
import os

import keras2_weights as W
from keras2_h5 import KerasH5, write_json, write_weights_only

# Keras 1 save_weights wrote neither backend nor keras_version.
KERAS1 = dict(keras_version=None, backend=None)


def gate_arrays(v, layer, gates, n_in, units):
    """W (in, u), U (u, u), b (u) per gate, in the gate order Keras 1 saved them."""
    out = []
    for gate in gates:
        out += [("%s_W_%s:0" % (layer, gate), v.glorot((n_in, units))),
                ("%s_U_%s:0" % (layer, gate), v.glorot((units, units))),
                ("%s_b_%s:0" % (layer, gate), v.small((units,)))]
    return out


def dense_arrays(v, layer, n_in, units):
    return [("%s_W:0" % layer, v.glorot((n_in, units))), ("%s_b:0" % layer, v.small((units,)))]


def write_lstm_char_text(folder, name="lstm_char_text_weights_only_keras1.h5"):
    """LSTM(200) on one-hot 33 chars -> Dense(33) -> softmax Activation. Keras 1's LSTM lists
    its gates i, c, f, o (not Keras 2's fused i, f, c, o)."""
    v = W.Values(1101)
    layers = [("lstm_1", gate_arrays(v, "lstm_1", "icfo", 33, 200)),
              ("dense_1", dense_arrays(v, "dense_1", 200, 33)),
              ("activation_1", [])]
    write_weights_only(os.path.join(folder, name), KerasH5(layers, **KERAS1))
    return [name]


def _keras1_gru(name, input_dim):
    return {"class_name": "GRU",
            "config": {"name": name, "trainable": True, "output_dim": 256,
                       "input_dim": input_dim, "input_length": None,
                       "activation": "sigmoid", "inner_activation": "hard_sigmoid",
                       "init": "glorot_uniform", "inner_init": "orthogonal",
                       "W_regularizer": None, "U_regularizer": None, "b_regularizer": None,
                       "dropout_W": 0.0, "dropout_U": 0.0, "return_sequences": True,
                       "go_backwards": False, "stateful": False, "unroll": False,
                       "consume_less": "cpu"}}


def _keras1_time_distributed_dense():
    dense = {"class_name": "Dense",
             "config": {"name": "dense_1", "trainable": True, "output_dim": 64,
                        "input_dim": None, "activation": "softmax", "init": "glorot_uniform",
                        "bias": True, "W_regularizer": None, "b_regularizer": None,
                        "activity_regularizer": None, "W_constraint": None,
                        "b_constraint": None}}
    return {"class_name": "TimeDistributed",
            "config": {"name": "timedistributed_1", "trainable": True, "layer": dense}}


def keras1_smiles_architecture():
    """Keras 1.1.1 model.to_json(): Embedding(64 -> 64, length 82) -> GRU(256, seq) x 2 ->
    TimeDistributed(Dense(64, softmax)); a Keras 1 Sequential config is a bare list."""
    embedding = {"class_name": "Embedding",
                 "config": {"name": "embedding_1", "trainable": True, "input_dim": 64,
                            "output_dim": 64, "input_length": 82, "batch_input_shape": [None, 82],
                            "input_dtype": "int32", "init": "uniform", "mask_zero": False,
                            "dropout": 0.0, "W_regularizer": None, "W_constraint": None,
                            "activity_regularizer": None}}
    layers = [embedding, _keras1_gru("gru_1", 64), _keras1_gru("gru_2", 256),
              _keras1_time_distributed_dense()]
    return {"class_name": "Sequential", "keras_version": "1.1.1", "config": layers}


def write_embedding_gru_time_distributed(
        folder, name="embedding_gru_timedistributed_weights_only_keras1.h5",
        arch="embedding_gru_timedistributed_weights_only_keras1.arch.json"):
    """The SMILES generator above; TimeDistributed stores the inner Dense's arrays under its own
    group with the Dense's names (dense_1_W:0)."""
    v = W.Values(1102)
    layers = [("embedding_1", [("embedding_1_W:0", v.uniform((64, 64), 0.05))]),
              ("gru_1", gate_arrays(v, "gru_1", "zrh", 64, 256)),
              ("gru_2", gate_arrays(v, "gru_2", "zrh", 256, 256)),
              ("timedistributed_1", dense_arrays(v, "dense_1", 256, 64))]
    write_weights_only(os.path.join(folder, name), KerasH5(layers, **KERAS1))
    write_json(os.path.join(folder, arch), keras1_smiles_architecture())
    return [name, arch]
