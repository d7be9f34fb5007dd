# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for the Teachable Machine export (tf.keras 2.4): a Sequential holding two Sequentials,
the first wrapping a Functional MobileNetV2 (alpha 0.35, 224x224x3, no top) and a global
average pooling, the second a Dense(100, relu) -> Dense(2, softmax, no bias) head.

The MobileNetV2 config and weights are derived from the network's block table the way
keras.applications builds it (layer names, channel rounding, stride-2 padding, residual Adds),
so the 155 inner layers and 260 weights match the public file without copying it. A nested
model's weights live in one group per inner model, listed trainable first (in layer order),
then the BatchNorm moving statistics.
"""
import os

import keras2_config as C
import keras2_weights as W
from keras2_h5 import FIXED, VLEN_UTF8, KerasH5, write_full_model

ALPHA = 0.35
INPUT = (224, 224, 3)
LAST_CHANNELS = 1280  # MobileNetV2 keeps 1280 for alpha <= 1
# (expansion, filters before alpha, stride) of the 17 inverted-residual blocks, ids 0..16.
BLOCKS = (((1, 16, 1),) + ((6, 24, 2), (6, 24, 1)) + ((6, 32, 2),) + ((6, 32, 1),) * 2
          + ((6, 64, 2),) + ((6, 64, 1),) * 3 + ((6, 96, 1),) * 3 + ((6, 160, 2),)
          + ((6, 160, 1),) * 2 + ((6, 320, 1),))
# What keras.applications' correct_pad gives before a stride-2 3x3 conv on even sizes.
PAD_BEFORE_STRIDE_2 = [[0, 1], [0, 1]]


def make_divisible(value, divisor=8):
    """Channel counts rounded to a multiple of 8, never more than 10% below the request."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


class Graph:
    """Collects a Functional config's nodes and each layer's weights, chaining by default."""

    def __init__(self, era, values):
        self.era, self.v = era, values
        self.nodes, self.trainable, self.moving = [], [], []
        self.last = None

    def add(self, entry, trainable=(), moving=(), inbound=None):
        name = entry["config"]["name"]
        sources = inbound if inbound is not None else ([self.last] if self.last else [])
        self.nodes.append(C.node(entry, *sources))
        self.trainable += W.named(name, trainable)
        self.moving += W.named(name, moving)
        self.last = name
        return name

    def conv(self, name, n_in, filters, kernel=1, strides=1, padding="same"):
        self.add(C.conv(self.era, name, 2, filters, kernel, strides, padding, use_bias=False),
                 W.conv(self.v, (kernel, kernel, n_in, filters), use_bias=False))

    def depthwise(self, name, channels, strides):
        padding = "same" if strides == 1 else "valid"
        self.add(C.depthwise_conv2d(self.era, name, 3, strides, padding),
                 W.depthwise(self.v, (3, 3, channels, 1)))

    def batch_norm(self, name, channels):
        self.add(C.batch_norm(self.era, name, momentum=0.999),
                 W.batch_norm_trainable(self.v, channels), W.batch_norm_moving(self.v, channels))

    def relu6(self, name):
        self.add(C.relu(self.era, name, 6.0))


def _stem(g):
    g.add(C.input_layer(g.era, "input_1", INPUT))
    g.add(C.zero_padding2d(g.era, "Conv1_pad", PAD_BEFORE_STRIDE_2))
    channels = make_divisible(32 * ALPHA)
    g.conv("Conv1", 3, channels, kernel=3, strides=2, padding="valid")
    g.batch_norm("bn_Conv1", channels)
    g.relu6("Conv1_relu")
    return channels


def _block(g, block_id, n_in, expansion, filters, stride):
    """One inverted residual block; returns its output channels."""
    block_input = g.last
    prefix = "block_%d_" % block_id if block_id else "expanded_conv_"
    channels = n_in
    if block_id:
        channels = expansion * n_in
        g.conv(prefix + "expand", n_in, channels)
        g.batch_norm(prefix + "expand_BN", channels)
        g.relu6(prefix + "expand_relu")
    if stride == 2:
        g.add(C.zero_padding2d(g.era, prefix + "pad", PAD_BEFORE_STRIDE_2))
    g.depthwise(prefix + "depthwise", channels, stride)
    g.batch_norm(prefix + "depthwise_BN", channels)
    g.relu6(prefix + "depthwise_relu")
    out = make_divisible(int(filters * ALPHA))
    g.conv(prefix + "project", channels, out)
    g.batch_norm(prefix + "project_BN", out)
    if n_in == out and stride == 1:
        g.add(C.add(g.era, prefix + "add"), inbound=[block_input, g.last])
    return out


def _head(g, n_in):
    g.conv("Conv_1", n_in, LAST_CHANNELS, padding="valid")
    g.batch_norm("Conv_1_bn", LAST_CHANNELS)
    g.relu6("out_relu")


def mobilenet_v2(era, values):
    """(Functional config "model1", [(weight name, array)] in nested-model order)."""
    g = Graph(era, values)
    channels = _stem(g)
    for block_id, (expansion, filters, stride) in enumerate(BLOCKS):
        channels = _block(g, block_id, channels, expansion, filters, stride)
    _head(g, channels)
    model = C.functional("Functional", "model1", g.nodes, ["input_1"], [g.last])
    return model, g.trainable + g.moving


def _classifier(era, v):
    config = C.sequential("sequential_3", [
        C.input_layer(era, "dense_Dense1_input", (LAST_CHANNELS,)),
        C.dense(era, "dense_Dense1", 100, "relu", input_shape=(LAST_CHANNELS,)),
        C.dense(era, "dense_Dense2", 2, "softmax", use_bias=False)])
    weights = (W.named("dense_Dense1", W.dense(v, LAST_CHANNELS, 100))
               + W.named("dense_Dense2", W.dense(v, 100, 2, use_bias=False)))
    return config, weights


def write_teachable_machine(folder,
                            name="nested_sequential_mobilenetv2_teachable_machine_keras2.h5"):
    """Exported without compile(): no training_config, no optimizer_weights."""
    era = C.Era("2.4.0", tf_keras=True)
    v = W.Values(1201)
    base, base_weights = mobilenet_v2(era, v)
    features = C.sequential("sequential_1", [
        C.input_layer(era, "model1_input", INPUT), base,
        C.global_average_pooling2d(era, "global_average_pooling2d_GlobalAveragePooling2D1")])
    head, head_weights = _classifier(era, v)
    model = C.sequential("sequential_4", [C.input_layer(era, "sequential_1_input", INPUT),
                                          features, head])
    spec = KerasH5([("sequential_1", base_weights), ("sequential_3", head_weights)], "2.4.0",
                   version_kind=VLEN_UTF8, names_kind=FIXED, model_config=model)
    write_full_model(os.path.join(folder, name), spec)
    return [name]
