# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-ins for the public Keras 3 files whose repositories grant no licence (MANIFEST.md of
the shared fixtures, ../shared/fixtures/real beside the repository): the same names,
architectures, HDF5/zip layouts and string storage as the public files, filled with seeded
random values (layout_signature.differences against the public file is empty).

- five legacy HDF5 full models (`model.save("x.h5")` under Keras 3, Adam optimizer_weights);
- a two-output Functional model as a native `.keras` archive and as the matching
  `.weights.h5` (the same values in both);
- a `.keras` archive of a Sequential model made of QKeras (custom, third-party) layers.

The configurations are written here, in Keras 3's serialization form (keras3_config.py); the
files are written by keras3_write.py. Run with /usr/bin/python3 (Debian's h5py and numpy).
"""
import collections
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras3_config as kc  # noqa: E402
import keras3_write as kw  # noqa: E402

# One layer of a model being described.
#   weights: [(variable name, shape, value kind)]; cell: the recurrent cell holding them, if any;
#   inbound: (source layer, shape, dtype, call kwargs) for a Functional model, None for its
#   input layer; build: the input shape an archive records in build_config (None: no entry).
Layer = collections.namedtuple("Layer", "class_name config weights cell inbound build",
                               defaults=((), None, None, None))

NO_SHAPE = None  # Keras' unknown (batch / sequence) dimension


# ----------------------------------------------------------------------------- weights

def lstm_weights(inputs, units):
    return [("kernel", (inputs, 4 * units), "glorot"),
            ("recurrent_kernel", (units, 4 * units), "recurrent"),
            ("bias", (4 * units,), "lstm_bias")]


def gru_weights(inputs, units):
    # reset_after=True: separate input and recurrent biases, as two rows.
    return [("kernel", (inputs, 3 * units), "glorot"),
            ("recurrent_kernel", (units, 3 * units), "recurrent"),
            ("bias", (2, 3 * units), "bias")]


def dense_weights(inputs, units):
    return [("kernel", (inputs, units), "glorot"), ("bias", (units,), "bias")]


def conv1d_weights(kernel_size, inputs, filters):
    return [("kernel", (kernel_size, inputs, filters), "glorot"), ("bias", (filters,), "bias")]


def fill(rng, layers):
    """{layer name: [(variable name, array)]}: seeded values, drawn in model order."""
    return {layer.config["name"]: [(name, kw.make_value(rng, kind, shape))
                                   for name, shape, kind in layer.weights]
            for layer in layers}


def trainable(layers, values):
    return [value for layer in layers for _, value in values[layer.config["name"]]]


# ----------------------------------------------------------------------------- legacy HDF5

def legacy_model_config(kind, name, layers, input_layer, build_input_shape=None,
                        inputs=None, outputs=None):
    """model_config of a legacy HDF5 file: {class_name, config} entries only."""
    if kind == "Sequential":
        entries = [kc.legacy_entry("InputLayer", input_layer)]
        entries += [kc.legacy_entry(layer.class_name, layer.config) for layer in layers]
        return {"class_name": kind,
                "config": kc.sequential_config(name, entries, build_input_shape)}
    entries = [kc.functional_node(kc.legacy_entry("InputLayer", input_layer))]
    for layer in layers:
        source, shape, dtype, kwargs = layer.inbound
        entries.append(kc.functional_node(kc.legacy_entry(layer.class_name, layer.config),
                                          (source, shape, dtype), kwargs))
    return {"class_name": kind, "config": kc.functional_config(name, entries, inputs, outputs)}


def legacy_layers(layers, values, prefix, input_name=None):
    """[(layer name, [(weight path, array)])] for model_weights. Keras 3 names a variable by
    its path: the model's name first in a Sequential (prefix), the cell for recurrent layers."""
    out = [(input_name, [])] if input_name else []
    for layer in layers:
        name = layer.config["name"]
        where = prefix + name + "/" + (layer.cell + "/" if layer.cell else "")
        out.append((name, [(where + vname, value) for vname, value in values[name]]))
    return out


def write_legacy(path, seed, keras_version, model_config, layers, training_config, prefix,
                 iteration, input_name=None):
    rng = np.random.default_rng(seed)
    values = fill(rng, layers)
    kw.write_legacy_h5(path, {
        "keras_version": keras_version, "model_config": model_config,
        "training_config": training_config,
        "layers": legacy_layers(layers, values, prefix, input_name),
        "adam": kw.adam_state(rng, trainable(layers, values), iteration)})


def stacked_recurrent(path, seed, spec):
    """Sequential Input(60, 1) -> RNN(50, sequences) -> Dropout -> RNN(50) -> Dropout ->
    Dense stack (the two next-day price predictors and the stacked LSTM with two Dense).
    spec: keras_version, model, input, names (rnn, dropout, rnn, dropout, dense...), cls,
    dense_units, iteration."""
    b = kc.LayerBuilder(spec["keras_version"])
    rnn0, drop0, rnn1, drop1 = spec["names"][:4]
    make, weights, cell = ((b.lstm, lstm_weights, "lstm_cell") if spec["cls"] == "LSTM"
                           else (b.gru, gru_weights, "gru_cell"))
    layers = [Layer(spec["cls"], make(rnn0, 50, True), weights(1, 50), cell),
              Layer("Dropout", b.dropout(drop0, 0.2)),
              Layer(spec["cls"], make(rnn1, 50, False), weights(50, 50), cell),
              Layer("Dropout", b.dropout(drop1, 0.2))]
    inputs = 50
    for name, units in zip(spec["names"][4:], spec["dense_units"]):
        layers.append(Layer("Dense", b.dense(name, units), dense_weights(inputs, units)))
        inputs = units
    shape = [NO_SHAPE, 60, 1]
    config = legacy_model_config("Sequential", spec["model"], layers,
                                 b.input_layer(spec["input"], shape), shape)
    write_legacy(path, seed, spec["keras_version"], config, layers,
                 kc.legacy_training_config("mean_squared_error"), spec["model"] + "/",
                 spec["iteration"])


def lstm_stacked_timeseries(path):
    stacked_recurrent(path, 3101, {
        "keras_version": "3.10.0", "model": "sequential", "input": "input_layer", "cls": "LSTM",
        "names": ["lstm", "dropout", "lstm_1", "dropout_1", "dense"], "dense_units": [1],
        "iteration": 1500})


def gru_stacked_timeseries(path):
    stacked_recurrent(path, 3102, {
        "keras_version": "3.10.0", "model": "sequential_1", "input": "input_layer_1",
        "cls": "GRU", "names": ["gru", "dropout_2", "gru_1", "dropout_3", "dense_1"],
        "dense_units": [1], "iteration": 1500})


def lstm2_two_dense(path):
    stacked_recurrent(path, 3103, {
        "keras_version": "3.11.3", "model": "sequential", "input": "input_layer", "cls": "LSTM",
        "names": ["lstm", "dropout", "lstm_1", "dropout_1", "dense", "dense_1"],
        "dense_units": [25, 1], "iteration": 900})


def conv1d_globalpool(path):
    """Sequential Input(60, 4) -> Conv1D(64, 3) -> Conv1D(32, 3) -> GlobalAveragePooling1D ->
    Dropout -> Dense(16, relu) -> Dense(1, sigmoid), saved by Keras 3.6."""
    b = kc.LayerBuilder("3.6.0")
    layers = [Layer("Conv1D", b.conv1d("conv1d_15", 64, 3, "relu"), conv1d_weights(3, 4, 64)),
              Layer("Conv1D", b.conv1d("conv1d_16", 32, 3, "relu"), conv1d_weights(3, 64, 32)),
              Layer("GlobalAveragePooling1D", b.global_pool("global_average_pooling1d_7")),
              Layer("Dropout", b.dropout("dropout_4", 0.3)),
              Layer("Dense", b.dense("dense_15", 16, "relu"), dense_weights(32, 16)),
              Layer("Dense", b.dense("dense_16", 1, "sigmoid"), dense_weights(16, 1))]
    shape = [NO_SHAPE, 60, 4]
    config = legacy_model_config("Sequential", "sequential_7", layers,
                                 b.input_layer("input_layer_7", shape), shape)
    write_legacy(path, 3104, "3.6.0", config, layers,
                 kc.legacy_training_config("binary_crossentropy", ["accuracy"]),
                 "sequential_7/", 700)


def embedding_lstm_textvectorization(path):
    """Functional: string Input -> TextVectorization (vocabulary not saved) -> Embedding(5076,
    20) -> LSTM(15, sequences) -> GlobalMaxPooling1D -> Dense(1, sigmoid). A Functional model's
    variables carry no model-name prefix, and its input layer is listed in layer_names."""
    b = kc.LayerBuilder("3.10.0")
    no_mask = {"training": False, "mask": None}
    layers = [
        Layer("TextVectorization", b.text_vectorization("text_vectorization", 20000, 5076),
              inbound=("input_layer", [NO_SHAPE], "string", {})),
        Layer("Embedding", b.embedding("embedding", 5076, 20),
              [("embeddings", (5076, 20), "embedding")],
              inbound=("text_vectorization", [NO_SHAPE, NO_SHAPE], "int64", {})),
        Layer("LSTM", b.lstm("lstm", 15, True), lstm_weights(20, 15), "lstm_cell",
              inbound=("embedding", [NO_SHAPE, NO_SHAPE, 20], "float32", no_mask)),
        Layer("GlobalMaxPooling1D", b.global_pool("global_max_pooling1d"),
              inbound=("lstm", [NO_SHAPE, NO_SHAPE, 15], "float32", {})),
        Layer("Dense", b.dense("dense", 1, "sigmoid"), dense_weights(15, 1),
              inbound=("global_max_pooling1d", [NO_SHAPE, 15], "float32", {}))]
    config = legacy_model_config("Functional", "functional", layers,
                                 b.input_layer("input_layer", [NO_SHAPE], "string"),
                                 inputs=[["input_layer", 0, 0]], outputs=[["dense", 0, 0]])
    write_legacy(path, 3105, "3.10.0", config, layers,
                 kc.legacy_training_config("binary_crossentropy", ["accuracy"]), "", 300,
                 input_name="input_layer")


# ----------------------------------------------------------------------------- .keras archives

def archive_entries(layers, functional, registered=None):
    """Archive entries of `layers`; registered: {class: (module, registered_name)} for
    classes Keras only knows by registration (custom layers)."""
    out = []
    for layer in layers:
        module, name = (registered or {}).get(layer.class_name, ("keras.layers", None))
        entry = kc.archive_entry(layer.class_name, layer.config, module, name, layer.build)
        if functional and layer.inbound is None:
            entry = kc.functional_node(entry)
        elif functional:
            source, shape, dtype, kwargs = layer.inbound
            entry = kc.functional_node(entry, (source, shape, dtype), kwargs)
        out.append(entry)
    return out


def weight_groups(layers, values):
    """[(weights group, layer name, cell name, arrays)] as Keras 3's saver walks the model."""
    names = kw.weight_group_names([layer.class_name for layer in layers])
    return [(group, layer.config["name"], layer.cell,
             [value for _, value in values.get(layer.config["name"], [])])
            for group, layer in zip(names, layers)]


def two_head_lstm_layers():
    """Input(96, 5) -> LSTM(64, sequences) -> Dropout -> LSTM(32) -> Dropout -> two heads
    Dense(16, relu) -> Dense(1): stage_output from dense_4, discharge_output from dense_5."""
    b = kc.LayerBuilder("3.13.2", archive=True)
    call = {"training": False}
    rnn_call = {"training": False, "mask": None}
    return [
        Layer("InputLayer", b.input_layer("input_layer_2", [NO_SHAPE, 96, 5])),
        Layer("LSTM", b.lstm("lstm_4", 64, True), lstm_weights(5, 64), "lstm_cell",
              ("input_layer_2", [NO_SHAPE, 96, 5], "float32", rnn_call), [NO_SHAPE, 96, 5]),
        Layer("Dropout", b.dropout("dropout_4", 0.2),
              inbound=("lstm_4", [NO_SHAPE, 96, 64], "float32", call)),
        Layer("LSTM", b.lstm("lstm_5", 32, False), lstm_weights(64, 32), "lstm_cell",
              ("dropout_4", [NO_SHAPE, 96, 64], "float32", rnn_call), [NO_SHAPE, 96, 64]),
        Layer("Dropout", b.dropout("dropout_5", 0.2),
              inbound=("lstm_5", [NO_SHAPE, 32], "float32", call)),
        Layer("Dense", b.dense("dense_4", 16, "relu"), dense_weights(32, 16),
              inbound=("dropout_5", [NO_SHAPE, 32], "float32", {}), build=[NO_SHAPE, 32]),
        Layer("Dense", b.dense("dense_5", 16, "relu"), dense_weights(32, 16),
              inbound=("dropout_5", [NO_SHAPE, 32], "float32", {}), build=[NO_SHAPE, 32]),
        Layer("Dense", b.dense("stage_output", 1), dense_weights(16, 1),
              inbound=("dense_4", [NO_SHAPE, 16], "float32", {}), build=[NO_SHAPE, 16]),
        Layer("Dense", b.dense("discharge_output", 1), dense_weights(16, 1),
              inbound=("dense_5", [NO_SHAPE, 16], "float32", {}), build=[NO_SHAPE, 16])]


def two_head_lstm_config(layers):
    heads = ["stage_output", "discharge_output"]
    config = kc.functional_config("functional_2", archive_entries(layers, True),
                                  ["input_layer_2", 0, 0], [[head, 0, 0] for head in heads])
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "config": config, "registered_name": "Functional",
            "build_config": {"input_shape": None},
            "compile_config": kc.archive_compile_config(
                {head: "mse" for head in heads}, {head: 1.0 for head in heads})}


def lstm_functional(keras_path, weights_path):
    """The .keras archive and the bare .weights.h5 of one model: equal datasets, both with
    the Adam variables."""
    layers = two_head_lstm_layers()
    rng = np.random.default_rng(3106)
    values = fill(rng, layers)
    optimizer = kw.adam_state(rng, trainable(layers, values), 2400)
    groups = weight_groups(layers, values)
    kw.write_weights_h5(weights_path, "functional_2", groups, optimizer)
    kw.write_keras_archive(keras_path, "3.13.2", (2026, 1, 15, 10, 0, 0),
                           two_head_lstm_config(layers),
                           kw.weights_h5_bytes("functional_2", groups, optimizer))


QKERAS = {"QDense": ("qkeras.qlayers", "qkeras>QDense"),
          "QActivation": ("qkeras.qlayers", "qkeras>QActivation")}


def qkeras_layers(b):
    """Input(16) -> QDense(64) -> QActivation -> QDense(32) -> QActivation -> QDense(32) ->
    QActivation -> QDense(5) -> Activation(softmax), 6-bit quantizers."""
    layers = [Layer("InputLayer", b.input_layer("fc1_input", [NO_SHAPE, 16]))]
    inputs = 16
    for index, (name, units) in enumerate([("fc1", 64), ("fc2", 32), ("fc3", 32),
                                           ("output", 5)]):
        layers.append(Layer("QDense", b.qdense(name, units, 6), dense_weights(inputs, units),
                            build=[NO_SHAPE, inputs]))
        if name != "output":
            layers.append(Layer("QActivation", b.qactivation("relu%d" % (index + 1), 6),
                                build=[NO_SHAPE, units]))
        inputs = units
    layers.append(Layer("Activation", b.activation("softmax", "softmax")))
    return layers


def qkeras_dense(path):
    builder = kc.LayerBuilder("3.14.1", archive=True)
    layers = qkeras_layers(builder)
    values = fill(np.random.default_rng(3107), layers)
    config = {"module": "keras", "class_name": "Sequential",
              "config": kc.sequential_config("sequential",
                                             archive_entries(layers, False, QKERAS),
                                             [NO_SHAPE, 16], builder.model_policy()),
              "registered_name": None, "build_config": {"input_shape": [NO_SHAPE, 16]},
              "compile_config": {}}
    # A Sequential's input layer has no weights group; no optimizer was saved.
    groups = weight_groups(layers[1:], values)
    kw.write_keras_archive(path, "3.14.1", (2026, 2, 1, 9, 30, 0), config,
                           kw.weights_h5_bytes("sequential", groups))


# ----------------------------------------------------------------------------- entry point

SINGLE_FILES = [("lstm_stacked_timeseries_keras3.h5", lstm_stacked_timeseries),
                ("gru_stacked_timeseries_keras3.h5", gru_stacked_timeseries),
                ("conv1d_globalpool_keras3.h5", conv1d_globalpool),
                ("embedding_lstm_textvectorization_keras3.h5", embedding_lstm_textvectorization),
                ("lstm2_keras3_arthaaaaa.h5", lstm2_two_dense),
                ("qkeras_dense_3layer_keras3.keras", qkeras_dense)]
FUNCTIONAL_PAIR = ("lstm_functional_keras3.keras", "lstm_functional_keras3.weights.h5")


def generate(out_dir):
    """Writes the Keras 3 stand-ins under out_dir/keras; returns their paths relative to
    out_dir."""
    folder = os.path.join(out_dir, "keras")
    os.makedirs(folder, exist_ok=True)
    made = []
    for name, write in SINGLE_FILES:
        write(os.path.join(folder, name))
        made.append("keras/" + name)
    lstm_functional(*(os.path.join(folder, name) for name in FUNCTIONAL_PAIR))
    made += ["keras/" + name for name in FUNCTIONAL_PAIR]
    return made


if __name__ == "__main__":
    for made_path in generate(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(made_path)
