# SPDX-License-Identifier: GPL-3.0-or-later
"""Seeded weight values for Keras stand-ins, in Keras' weight order and shapes.

Values are scaled like Keras' initializers (Glorot-uniform kernels, small biases, BatchNorm
statistics near 0/1 with a positive variance) so that forward passes stay tame: the conversion
tests compare PyTorch against the Keras oracle with absolute tolerances, which a stand-in whose
activations explode (a ReLU LSTM over 100 steps) would not meet.
"""
import numpy as np


class Values:
    """Draws every array of one file from np.random.default_rng(seed), in call order."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def glorot(self, shape):
        """Glorot-uniform: fan_in/fan_out from the last two axes times the receptive field."""
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return self.uniform(shape, limit)

    def uniform(self, shape, limit):
        return self.rng.uniform(-limit, limit, size=shape).astype(np.float32)

    def small(self, shape, scale=0.05):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def positive(self, shape, low=0.5, high=1.5):
        return self.rng.uniform(low, high, size=shape).astype(np.float32)


# Each returns [(short weight name, array)] in the order Keras lists the layer's weights.

def dense(v, n_in, units, use_bias=True):
    weights = [("kernel", v.glorot((n_in, units)))]
    return weights + ([("bias", v.small((units,)))] if use_bias else [])


def conv(v, kernel_shape, use_bias=True):
    """Conv1D (k, in, out) / Conv2D (kh, kw, in, out)."""
    weights = [("kernel", v.glorot(tuple(kernel_shape)))]
    return weights + ([("bias", v.small((kernel_shape[-1],)))] if use_bias else [])


def depthwise(v, kernel_shape):
    return [("depthwise_kernel", v.glorot(tuple(kernel_shape)))]


def lstm(v, n_in, units):
    """Fused Keras 2 LSTM: kernel (in, 4u), recurrent_kernel (u, 4u), bias (4u), gates i,f,c,o.
    The forget block of the bias starts near 1 (unit_forget_bias): the cell state then keeps a
    memory and the outputs do not fade towards 0 over long sequences."""
    bias = v.small((4 * units,))
    bias[units:2 * units] += 1.0
    return [("kernel", v.glorot((n_in, 4 * units))),
            ("recurrent_kernel", v.glorot((units, 4 * units))),
            ("bias", bias)]


def gru_reset_after(v, n_in, units):
    """tf.keras GRU(reset_after=True): bias (2, 3u) = input and recurrent biases, gates z,r,h."""
    return [("kernel", v.glorot((n_in, 3 * units))),
            ("recurrent_kernel", v.glorot((units, 3 * units))),
            ("bias", v.small((2, 3 * units)))]


def batch_norm_trainable(v, n):
    return [("gamma", v.positive((n,), 0.8, 1.2)), ("beta", v.small((n,)))]


def batch_norm_moving(v, n):
    return [("moving_mean", v.small((n,))), ("moving_variance", v.positive((n,)))]


def batch_norm(v, n):
    return batch_norm_trainable(v, n) + batch_norm_moving(v, n)


def named(prefix, weights, suffix=":0"):
    """Full weight names: prefix "lstm/lstm_cell" -> "lstm/lstm_cell/kernel:0"."""
    return [("%s/%s%s" % (prefix, name, suffix), value) for name, value in weights]


# Adam slots, as two eras of tf.keras name them. variables: [(name without ":0", array)].

def adam_slots(v, variable):
    """First and second moments: small, and the second one positive."""
    return v.small(variable.shape, 1e-3), v.positive(variable.shape, 0.0, 1e-5)


def adam_tf2(v, variables, iterations):
    """tf.keras 2.x (optimizer_v2): Adam/iter:0, every m (Adam/<var>/m:0), then every v."""
    slots = [adam_slots(v, value) for _, value in variables]
    out = [("Adam/iter:0", np.array(iterations, dtype=np.int64))]
    out += [("Adam/%s/m:0" % name, m) for (name, _), (m, _) in zip(variables, slots)]
    out += [("Adam/%s/v:0" % name, s) for (name, _), (_, s) in zip(variables, slots)]
    return out


def adam_keras215(v, variables, iterations):
    """Keras 2.15 (new optimizer): iteration:0, then Adam/m/<var>:0, Adam/v/<var>:0 per variable."""
    out = [("iteration:0", np.array(iterations, dtype=np.int64))]
    for name, value in variables:
        m, s = adam_slots(v, value)
        out += [("Adam/m/%s:0" % name, m), ("Adam/v/%s:0" % name, s)]
    return out


def variables_of(layers):
    """[(name without ":0", array)] of the trainable weights of [(layer, weights)], the variables an
    optimizer keeps slots for (BatchNorm moving statistics are not trainable)."""
    out = []
    for _, weights in layers:
        for name, value in weights:
            if "moving_" not in name:
                out.append((name[:-2] if name.endswith(":0") else name, value))
    return out
