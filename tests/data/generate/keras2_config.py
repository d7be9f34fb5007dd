# SPDX-License-Identifier: GPL-3.0-or-later
"""Keras 2 model configs (the JSON of model_config / model.to_json()), written per era.

Readers and the Keras oracle interpret these keys, so the stand-ins carry what each Keras
version writes: standalone Keras 2.0-2.2 puts `dtype` only beside `batch_input_shape` and
serializes glorot_uniform as VarianceScaling; tf.keras (2.3+) adds `dtype` everywhere,
`groups`, `time_major`, `ragged`; Keras 2.13+ tags initializers with module/registered_name.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    version: str
    tf_keras: bool  # tf.keras 2.3+ keys (see the module doc)
    registered: bool = False  # Keras 2.13+: initializers carry module / registered_name


def initializer(era, kind):
    """kind: glorot, orthogonal, zeros or ones."""
    if kind == "glorot" and not era.tf_keras:
        entry = {"class_name": "VarianceScaling",
                 "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform",
                            "seed": None}}
    else:
        configs = {"glorot": ("GlorotUniform", {"seed": None}),
                   "orthogonal": ("Orthogonal", {"gain": 1.0, "seed": None}),
                   "zeros": ("Zeros", {}), "ones": ("Ones", {})}
        class_name, config = configs[kind]
        entry = {"class_name": class_name, "config": dict(config)}
    if era.registered:
        entry = {"module": "keras.initializers", **entry, "registered_name": None}
    return entry


def _nulls(*keys):
    return {key: None for key in keys}


def _base(era, name, input_shape=None):
    config = {"name": name, "trainable": True}
    if input_shape is not None:
        config["batch_input_shape"] = [None] + list(input_shape)
    if era.tf_keras or input_shape is not None:
        config["dtype"] = "float32"
    return config


def layer(class_name, config):
    return {"class_name": class_name, "config": config}


def input_layer(era, name, shape):
    config = {"batch_input_shape": [None] + list(shape), "dtype": "float32", "sparse": False}
    if era.tf_keras:
        config["ragged"] = False
    config["name"] = name
    return layer("InputLayer", config)


def l1l2(l1=0.0, l2=0.0):
    """A kernel_regularizer object (readers must skip it: it plays no part in inference)."""
    return {"class_name": "L1L2", "config": {"l1": l1, "l2": l2}}


def _weighted_tail(era, regularizer):
    tail = {"kernel_initializer": initializer(era, "glorot"),
            "bias_initializer": initializer(era, "zeros"), "kernel_regularizer": regularizer}
    tail.update(_nulls("bias_regularizer", "activity_regularizer", "kernel_constraint",
                       "bias_constraint"))
    return tail


def dense(era, name, units, activation="linear", use_bias=True, input_shape=None,
          regularizer=None):
    config = _base(era, name, input_shape)
    config.update(units=units, activation=activation, use_bias=use_bias)
    config.update(_weighted_tail(era, regularizer))
    return layer("Dense", config)


def _recurrent(era, name, units, activation, recurrent_activation, return_sequences,
               input_shape, implementation):
    config = _base(era, name, input_shape)
    config.update(return_sequences=return_sequences, return_state=False, go_backwards=False,
                  stateful=False, unroll=False)
    if era.tf_keras:
        config["time_major"] = False
    config.update(units=units, activation=activation, recurrent_activation=recurrent_activation,
                  use_bias=True, kernel_initializer=initializer(era, "glorot"),
                  recurrent_initializer=initializer(era, "orthogonal"),
                  bias_initializer=initializer(era, "zeros"))
    config.update(_nulls("kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                         "activity_regularizer", "kernel_constraint", "recurrent_constraint",
                         "bias_constraint"))
    config.update(dropout=0.0, recurrent_dropout=0.0, implementation=implementation)
    return config


def lstm(era, name, units, activation="tanh", recurrent_activation="sigmoid",
         return_sequences=False, input_shape=None, implementation=2):
    config = _recurrent(era, name, units, activation, recurrent_activation, return_sequences,
                        input_shape, implementation)
    config["unit_forget_bias"] = True
    return layer("LSTM", config)


def gru(era, name, units, activation="tanh", recurrent_activation="sigmoid",
        return_sequences=False, input_shape=None, implementation=2, reset_after=True):
    config = _recurrent(era, name, units, activation, recurrent_activation, return_sequences,
                        input_shape, implementation)
    config["reset_after"] = reset_after
    return layer("GRU", config)


def _conv_geometry(era, rank, kernel_size, strides, padding):
    geometry = {"kernel_size": [kernel_size] * rank, "strides": [strides] * rank,
                "padding": padding}
    if era.tf_keras or rank > 1:  # Keras 2.0's Conv1D had no data_format
        geometry["data_format"] = "channels_last"
    geometry["dilation_rate"] = [1] * rank
    if era.tf_keras:
        geometry["groups"] = 1
    return geometry


def conv(era, name, rank, filters, kernel_size, strides=1, padding="valid",
         activation="linear", use_bias=True, input_shape=None, regularizer=None):
    """Conv1D (rank 1) or Conv2D (rank 2)."""
    config = _base(era, name, input_shape)
    config["filters"] = filters
    config.update(_conv_geometry(era, rank, kernel_size, strides, padding))
    config.update(activation=activation, use_bias=use_bias)
    config.update(_weighted_tail(era, regularizer))
    return layer("Conv%dD" % rank, config)


def depthwise_conv2d(era, name, kernel_size=3, strides=1, padding="same"):
    config = _base(era, name)
    config.update(_conv_geometry(era, 2, kernel_size, strides, padding))
    config.update(activation="linear", use_bias=False, bias_initializer=initializer(era, "zeros"))
    config.update(_nulls("bias_regularizer", "activity_regularizer", "bias_constraint"))
    config.update(depth_multiplier=1, depthwise_initializer=initializer(era, "glorot"))
    config.update(_nulls("depthwise_regularizer", "depthwise_constraint"))
    return layer("DepthwiseConv2D", config)


def batch_norm(era, name, momentum=0.99, epsilon=0.001, axis=3):
    config = _base(era, name)
    config.update(axis=[axis], momentum=momentum, epsilon=epsilon, center=True, scale=True,
                  beta_initializer=initializer(era, "zeros"),
                  gamma_initializer=initializer(era, "ones"),
                  moving_mean_initializer=initializer(era, "zeros"),
                  moving_variance_initializer=initializer(era, "ones"))
    config.update(_nulls("beta_regularizer", "gamma_regularizer", "beta_constraint",
                         "gamma_constraint"))
    return layer("BatchNormalization", config)


def max_pooling2d(era, name, pool, strides, padding="valid"):
    config = _base(era, name)
    config.update(pool_size=[pool, pool], padding=padding, strides=[strides, strides],
                  data_format="channels_last")
    return layer("MaxPooling2D", config)


def flatten(era, name):
    config = _base(era, name)
    if era.tf_keras:
        config["data_format"] = "channels_last"
    return layer("Flatten", config)


def dropout(era, name, rate):
    config = _base(era, name)
    config.update(rate=rate, noise_shape=None, seed=None)
    return layer("Dropout", config)


def relu(era, name, max_value=None):
    config = _base(era, name)
    config.update(max_value=max_value, negative_slope=0.0, threshold=0.0)
    return layer("ReLU", config)


def leaky_relu(era, name, alpha):
    config = _base(era, name)
    config["alpha"] = alpha
    return layer("LeakyReLU", config)


def activation(era, name, function):
    config = _base(era, name)
    config["activation"] = function
    return layer("Activation", config)


def zero_padding2d(era, name, padding):
    config = _base(era, name)
    config.update(padding=padding, data_format="channels_last")
    return layer("ZeroPadding2D", config)


def add(era, name):
    return layer("Add", _base(era, name))


def global_average_pooling2d(era, name):
    config = _base(era, name)
    config["data_format"] = "channels_last"
    return layer("GlobalAveragePooling2D", config)


# Containers.

def sequential(name, layers):
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


def node(entry, *inbound):
    """A layer of a Functional config: its entry plus name and the layers it reads."""
    entry = dict(entry)
    entry["name"] = entry["config"]["name"]
    entry["inbound_nodes"] = [[[source, 0, 0, {}] for source in inbound]] if inbound else []
    return entry


def functional(class_name, name, nodes, inputs, outputs):
    """class_name: "Model" (Keras 2.0-2.3) or "Functional" (tf.keras 2.4+)."""
    return {"class_name": class_name,
            "config": {"name": name, "layers": nodes,
                       "input_layers": [[n, 0, 0] for n in inputs],
                       "output_layers": [[n, 0, 0] for n in outputs]}}


def to_json_document(model, era):
    """What model.to_json() returns: the config plus keras_version and backend."""
    return {**model, "keras_version": era.version, "backend": "tensorflow"}


# Training configs (the root training_config attribute of model.save files).

def training_config(loss, metrics, optimizer):
    return {"loss": loss, "metrics": metrics, "weighted_metrics": None, "loss_weights": None,
            "optimizer_config": optimizer}


def adam_tf2(learning_rate=0.001):
    """tf.keras 2.x (optimizer_v2) Adam, float32-rounded hyperparameters as it stores them."""
    return {"class_name": "Adam",
            "config": {"name": "Adam", "learning_rate": learning_rate, "decay": 0.0,
                       "beta_1": 0.8999999761581421, "beta_2": 0.9990000128746033,
                       "epsilon": 1e-07, "amsgrad": False}}


def adam_keras215():
    """Keras 2.15's new optimizer, registered as Custom>Adam."""
    config = {"name": "Adam", "use_ema": False, "ema_momentum": 0.99,
              "ema_overwrite_frequency": None, "jit_compile": False,
              "is_legacy_optimizer": False, "learning_rate": 0.0010000000474974513,
              "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}
    config.update(_nulls("weight_decay", "clipnorm", "global_clipnorm", "clipvalue"))
    return {"class_name": "Custom>Adam", "config": config}
