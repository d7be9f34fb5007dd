# SPDX-License-Identifier: GPL-3.0-or-later
"""Keras 3 configuration dicts, built the way Keras 3 serializes them, for the Keras 3 stand-ins.

Two shapes of layer entry exist: the legacy `model.save("x.h5")` writer keeps only
{class_name, config} (plus name/inbound_nodes in a Functional), the native `.keras` archive adds
module, registered_name and, for layers that recorded their build shape, build_config.
A few keys appeared or vanished between Keras 3 releases (InputLayer `ragged`/`optional`,
Dense `quantization_config`), so the builders take the Keras version the stand-in claims.
"""
import itertools

import numpy as np

# The .keras writer tags an object it serializes more than once (the model's one DTypePolicy,
# the initializers an RNN layer shares with its cell, a quantizer several QKeras layers share)
# with shared_object_id, the object's Python id(). Readers must ignore the number, so these
# are made-up stable values, one per distinct object.
FIRST_OBJECT_ID = 140000000000000


def version_tuple(text):
    return tuple(int(part) for part in text.split("."))


def serialized(class_name, config, module="keras.initializers", registered_name=None):
    """The generic Keras 3 object form {module, class_name, config, registered_name}."""
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": registered_name}


def dtype_policy():
    return serialized("DTypePolicy", {"name": "float32"}, module="keras")


def glorot_uniform():
    return serialized("GlorotUniform", {"seed": None})


def orthogonal():
    return serialized("Orthogonal", {"seed": None, "gain": 1.0})


def zeros():
    return serialized("Zeros", {})


def float32_value(x):
    """A float32 hyperparameter as Keras writes it: the float32 widened to a double."""
    return float(np.float32(x))


class LayerBuilder:
    """Makes the `config` dicts of the layers one model uses, in the form of one Keras version;
    archive=True adds the shared_object_id tags of the .keras writer (legacy HDF5 has none)."""

    def __init__(self, keras_version, archive=False):
        self.version = version_tuple(keras_version)
        self.archive = archive
        self._fresh_ids = itertools.count(FIRST_OBJECT_ID, 16)
        self._shared_ids = {}

    def tagged(self, obj, shared_key=None):
        """obj with a shared_object_id in an archive: its own, or the one of the object all
        uses of shared_key denote."""
        if self.archive:
            if shared_key is None:
                obj["shared_object_id"] = next(self._fresh_ids)
            else:
                obj["shared_object_id"] = self._shared_ids.setdefault(shared_key,
                                                                      next(self._fresh_ids))
        return obj

    def model_policy(self):
        """The one policy object the model and its layers share."""
        return self.tagged(dtype_policy(), "model dtype policy")

    def _base(self, name):
        return {"name": name, "trainable": True, "dtype": self.model_policy()}

    def input_layer(self, name, batch_shape, dtype="float32"):
        config = {"batch_shape": list(batch_shape), "dtype": dtype, "sparse": False}
        if self.version >= (3, 7):  # Keras 3.6 did not write `ragged` yet
            config["ragged"] = False
        config["name"] = name
        if self.version >= (3, 12):  # 3.11 did not write `optional` yet
            config["optional"] = False
        return config

    def _recurrent(self, name, units, return_sequences):
        config = self._base(name)
        config.update({"return_sequences": return_sequences, "return_state": False,
                       "go_backwards": False, "stateful": False, "unroll": False,
                       "zero_output_for_mask": False, "units": units, "activation": "tanh",
                       "recurrent_activation": "sigmoid", "use_bias": True,
                       # The layer and its cell hold the same initializer objects.
                       "kernel_initializer": self.tagged(glorot_uniform()),
                       "recurrent_initializer": self.tagged(orthogonal()),
                       "bias_initializer": self.tagged(zeros())})
        return config

    def _recurrent_tail(self, config):
        for key in ("kernel", "recurrent", "bias", "activity"):
            config[key + "_regularizer"] = None
        for key in ("kernel", "recurrent", "bias"):
            config[key + "_constraint"] = None
        config.update({"dropout": 0.0, "recurrent_dropout": 0.0})
        return config

    def lstm(self, name, units, return_sequences):
        config = self._recurrent(name, units, return_sequences)
        config["unit_forget_bias"] = True
        self._recurrent_tail(config)
        config["seed"] = None
        return config

    def gru(self, name, units, return_sequences):
        config = self._recurrent_tail(self._recurrent(name, units, return_sequences))
        config.update({"reset_after": True, "seed": None})
        return config

    def dropout(self, name, rate):
        config = self._base(name)
        config.update({"rate": rate, "seed": None, "noise_shape": None})
        return config

    def _kernel_bias_tail(self, config, activity=True):
        config.update({"kernel_initializer": glorot_uniform(), "bias_initializer": zeros(),
                       "kernel_regularizer": None, "bias_regularizer": None})
        if activity:
            config["activity_regularizer"] = None
        config.update({"kernel_constraint": None, "bias_constraint": None})
        return config

    def dense(self, name, units, activation="linear"):
        config = self._base(name)
        config.update({"units": units, "activation": activation, "use_bias": True})
        self._kernel_bias_tail(config, activity=False)
        if self.version >= (3, 13):
            config["quantization_config"] = None
        return config

    def conv1d(self, name, filters, kernel_size, activation):
        config = self._base(name)
        config.update({"filters": filters, "kernel_size": [kernel_size], "strides": [1],
                       "padding": "valid", "data_format": "channels_last",
                       "dilation_rate": [1], "groups": 1, "activation": activation,
                       "use_bias": True})
        return self._kernel_bias_tail(config)

    def global_pool(self, name):
        config = self._base(name)
        config.update({"data_format": "channels_last", "keepdims": False})
        return config

    def embedding(self, name, input_dim, output_dim):
        config = self._base(name)
        config.update({"input_dim": input_dim, "output_dim": output_dim,
                       "embeddings_initializer": serialized(
                           "RandomUniform", {"seed": None, "minval": -0.05, "maxval": 0.05}),
                       "embeddings_regularizer": None, "activity_regularizer": None,
                       "embeddings_constraint": None, "mask_zero": False})
        return config

    def text_vectorization(self, name, max_tokens, vocabulary_size):
        # The vocabulary itself is not saved by the legacy HDF5 writer: only its size.
        config = self._base(name)
        config.update({"max_tokens": max_tokens, "standardize": "lower_and_strip_punctuation",
                       "split": "whitespace", "ngrams": None, "output_mode": "int",
                       "output_sequence_length": None, "pad_to_max_tokens": False,
                       "sparse": False, "ragged": False, "vocabulary": None,
                       "idf_weights": None, "encoding": "utf-8",
                       "vocabulary_size": vocabulary_size})
        return config

    def activation(self, name, activation):
        config = self._base(name)
        config["activation"] = activation
        return config

    # QKeras (a third-party package): classes Keras only knows through registered_name. Every
    # QKeras object is tagged; one quantized_bits / quantized_relu object serves all layers.
    def quantizer(self, class_name, config):
        return self.tagged(serialized(class_name, config, module="qkeras.quantizers",
                                      registered_name="qkeras>" + class_name),
                           (class_name, tuple(sorted(config.items()))))

    def quantized_bits(self, bits):
        return self.quantizer("quantized_bits", {
            "bits": bits, "integer": 0, "symmetric": 0, "alpha": 1, "keep_negative": True,
            "use_stochastic_rounding": False, "qnoise_factor": 1.0, "post_training_scale": None})

    def clip(self):
        return self.tagged(serialized("Clip", {"min_value": -1, "max_value": 1},
                                      module="qkeras.qlayers", registered_name="qkeras>Clip"))

    def qdense(self, name, units, bits):
        initializer = serialized("QInitializer", {
            "initializer": self.tagged(serialized("LecunUniform", {"seed": None})),
            "use_scale": True, "quantizer": self.quantized_bits(bits)},
            module="qkeras.qlayers", registered_name="qkeras>QInitializer")
        regularizer = serialized("L1", {"l1": float32_value(1e-4)}, module="keras.regularizers")
        config = self._base(name)
        config.update({"units": units, "activation": "linear", "use_bias": True,
                       "kernel_initializer": self.tagged(initializer),
                       "bias_initializer": self.tagged(zeros()),
                       "kernel_regularizer": self.tagged(regularizer),
                       "bias_regularizer": None, "kernel_constraint": self.clip(),
                       "bias_constraint": self.clip(), "quantization_config": None,
                       "kernel_quantizer": self.quantized_bits(bits),
                       "bias_quantizer": self.quantized_bits(bits),
                       "activity_regularizer": None, "kernel_range": None, "bias_range": None})
        return config

    def qactivation(self, name, bits):
        config = self._base(name)
        config["activation"] = self.quantizer("quantized_relu", {
            "bits": bits, "integer": 0, "use_sigmoid": 0, "negative_slope": 0.0,
            "use_stochastic_rounding": False, "relu_upper_bound": None, "qnoise_factor": 1.0})
        return config


# ----------------------------------------------------------------------------- layer entries

def legacy_entry(class_name, config):
    """A layer as the legacy HDF5 writer lists it in a Sequential."""
    return {"class_name": class_name, "config": config}


def archive_entry(class_name, config, module="keras.layers", registered_name=None,
                  input_shape=None):
    """A layer as the .keras archive lists it; input_shape gives it a build_config."""
    entry = {"module": module, "class_name": class_name, "config": config,
             "registered_name": registered_name}
    if input_shape is not None:
        entry["build_config"] = {"input_shape": list(input_shape)}
    return entry


def keras_tensor(shape, dtype, source_layer):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(shape), "dtype": dtype,
                       "keras_history": [source_layer, 0, 0]}}


def functional_node(entry, inbound=None, kwargs=None):
    """Adds a Functional model's name and inbound_nodes to a layer entry.
    inbound: (source layer, its output shape, dtype) or None for an input layer."""
    entry["name"] = entry["config"]["name"]
    if inbound is None:
        entry["inbound_nodes"] = []
    else:
        source, shape, dtype = inbound
        entry["inbound_nodes"] = [{"args": [keras_tensor(shape, dtype, source)],
                                   "kwargs": dict(kwargs or {})}]
    return entry


# ----------------------------------------------------------------------------- models

def sequential_config(name, layers, build_input_shape, policy=None):
    """policy: the model's dtype policy entry (LayerBuilder.model_policy), plain by default."""
    return {"name": name, "trainable": True, "dtype": policy or dtype_policy(),
            "layers": layers, "build_input_shape": list(build_input_shape)}


def functional_config(name, layers, inputs, outputs):
    """inputs / outputs as written: [[layer, 0, 0], ...], or flat [layer, 0, 0] for the single
    input the .keras archive of a one-input model names."""
    return {"name": name, "trainable": True, "layers": layers, "input_layers": inputs,
            "output_layers": outputs}


def adam_config(clipvalue=None):
    return {"name": "adam", "learning_rate": float32_value(1e-3), "weight_decay": None,
            "clipnorm": None, "global_clipnorm": None, "clipvalue": clipvalue, "use_ema": False,
            "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
            "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
            "epsilon": 1e-07, "amsgrad": False}


def legacy_training_config(loss, metrics=None):
    """The root training_config attribute of a legacy HDF5 full model compiled with Adam."""
    return {"loss": loss, "loss_weights": None, "metrics": metrics, "weighted_metrics": None,
            "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False,
            "optimizer_config": {"class_name": "Adam", "config": adam_config()}}


def archive_compile_config(loss, loss_weights=None, clipvalue=None):
    return {"optimizer": serialized("Adam", adam_config(clipvalue), module="keras.optimizers"),
            "loss": loss, "loss_weights": loss_weights, "metrics": None,
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
            "jit_compile": False}
