# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-ins for the unlicensed Keras 2 files of ../shared/fixtures/real (see its MANIFEST.md):
same names, layer classes, shapes and HDF5 string storage as the public files, seeded values.

Each `write_*` function writes one file (and its model.to_json() companion where the public
file has one) into a folder and returns the names it wrote.
"""
import os

import keras2_config as C
import keras2_weights as W
from keras2_h5 import FIXED, VLEN_ASCII, VLEN_UTF8, KerasH5, write_full_model, \
    write_json, write_weights_only


def _suffix(base, i):
    """Keras' automatic layer names: lstm, lstm_1, lstm_2, ..."""
    return base if i == 0 else "%s_%d" % (base, i)


# ---------------------------------------------------------------- full models (model.save)

def write_lstm_stacked_timeseries(folder, name="lstm_stacked_timeseries_keras2.h5"):
    """Keras 2.15 Sequential: Input(100, 1) -> 4 x (LSTM relu -> Dropout) -> Dense(1), saved with
    its Adam state (new-optimizer slot names) and the 2.15 top_level_model_weights group."""
    era = C.Era("2.15.0", tf_keras=True, registered=True)
    v = W.Values(1501)
    stack = ((50, 0.2, True), (50, 0.3, True), (80, 0.4, True), (120, 0.5, False))
    config = [C.input_layer(era, "lstm_input", (100, 1))]
    layers, n_in = [], 1
    for i, (units, rate, sequences) in enumerate(stack):
        lstm, drop = _suffix("lstm", i), _suffix("dropout", i)
        config += [C.lstm(era, lstm, units, "relu", return_sequences=sequences,
                          input_shape=(100, 1) if i == 0 else None),
                   C.dropout(era, drop, rate)]
        # Keras 2.15 names every LSTM's cell plain "lstm_cell".
        layers += [(lstm, W.named(lstm + "/lstm_cell", W.lstm(v, n_in, units))), (drop, [])]
        n_in = units
    config.append(C.dense(era, "dense", 1))
    layers.append(("dense", W.named("dense", W.dense(v, n_in, 1))))
    spec = KerasH5(layers, "2.15.0", version_kind=VLEN_UTF8, names_kind=VLEN_ASCII,
                   model_config=C.sequential("sequential", config),
                   training_config=C.training_config("mean_squared_error", None,
                                                     C.adam_keras215()),
                   optimizer=W.adam_keras215(v, W.variables_of(layers), 2600),
                   top_level_model_weights=True)
    write_full_model(os.path.join(folder, name), spec)
    return [name]


def _cnn_bn_stage(era, v, i, n_in, kernel, pool, input_shape):
    """Conv2D(32, relu) -> MaxPooling2D(same, stride 2) -> BatchNormalization."""
    conv, pooling, norm = _suffix("conv2d", i), _suffix("max_pooling2d", i), \
        _suffix("batch_normalization", i)
    # The public file's author passed input_shape to every Conv2D, so each carries it.
    config = [C.conv(era, conv, 2, 32, kernel, activation="relu", input_shape=input_shape),
              C.max_pooling2d(era, pooling, pool, 2, "same"), C.batch_norm(era, norm)]
    layers = [(conv, W.named(conv, W.conv(v, (kernel, kernel, n_in, 32)))), (pooling, []),
              (norm, W.named(norm, W.batch_norm(v, 32)))]
    return config, layers


def write_cnn_bn(folder, name="cnn_bn_keras2_alexfox.h5"):
    """tf.keras 2.5 Sequential on (130, 13, 1): 3 x (Conv2D, MaxPooling2D, BN) -> Flatten (480)
    -> Dense(64, relu) -> Dropout -> Dense(10, softmax); Adam state; vlen layer_names."""
    era = C.Era("2.5.0", tf_keras=True)
    v = W.Values(1502)
    shape = (130, 13, 1)
    config, layers = [C.input_layer(era, "conv2d_input", shape)], []
    for i, (n_in, kernel, pool) in enumerate(((1, 3, 3), (32, 3, 3), (32, 2, 2))):
        stage_config, stage_layers = _cnn_bn_stage(era, v, i, n_in, kernel, pool, shape)
        config += stage_config
        layers += stage_layers
    config += [C.flatten(era, "flatten"), C.dense(era, "dense", 64, "relu"),
               C.dropout(era, "dropout", 0.3), C.dense(era, "dense_1", 10, "softmax")]
    layers += [("flatten", []), ("dense", W.named("dense", W.dense(v, 480, 64))),
               ("dropout", []), ("dense_1", W.named("dense_1", W.dense(v, 64, 10)))]
    accuracy = {"class_name": "MeanMetricWrapper",
                "config": {"name": "accuracy", "dtype": "float32",
                           "fn": "sparse_categorical_accuracy"}}
    spec = KerasH5(layers, "2.5.0", version_kind=VLEN_UTF8, names_kind=VLEN_ASCII,
                   model_config=C.sequential("sequential", config),
                   training_config=C.training_config(
                       "sparse_categorical_crossentropy", [[accuracy]],
                       C.adam_tf2(9.999999747378752e-05)),
                   optimizer=W.adam_tf2(v, W.variables_of(layers), 9400))
    write_full_model(os.path.join(folder, name), spec)
    return [name]


def write_gru_relu(folder, name="gru_relu_keras240_iwillbeaprogramer.h5"):
    """tf.keras 2.4 Sequential: Input(10, 1) -> GRU(50, relu, reset_after) -> Dense 50/25/5 relu
    -> Dense(1); Adam state; fixed-length name lists."""
    era = C.Era("2.4.0", tf_keras=True)
    v = W.Values(1503)
    config = [C.input_layer(era, "gru_8_input", (10, 1)),
              C.gru(era, "gru_8", 50, "relu", input_shape=(10, 1))]
    layers = [("gru_8", W.named("gru_8/gru_cell_8", W.gru_reset_after(v, 1, 50)))]
    n_in = 50
    for number, units, function in ((77, 50, "relu"), (78, 25, "relu"), (79, 5, "relu"),
                                    (80, 1, "linear")):
        dense = "dense_%d" % number
        # The public file's first Dense carries a stray input_shape=(10,), kept as saved.
        config.append(C.dense(era, dense, units, function,
                              input_shape=(10,) if number == 77 else None))
        layers.append((dense, W.named(dense, W.dense(v, n_in, units))))
        n_in = units
    spec = KerasH5(layers, "2.4.0", version_kind=VLEN_UTF8, names_kind=FIXED,
                   model_config=C.sequential("sequential_26", config),
                   training_config=C.training_config("mse", ["mse"],
                                                     C.adam_tf2(0.0010000000474974513)),
                   optimizer=W.adam_tf2(v, W.variables_of(layers), 142386))
    write_full_model(os.path.join(folder, name), spec)
    return [name]


# ---------------------------------------------------------------- weights only (save_weights)

def write_lstm_char_text_keras20(folder, name="lstm_char_text_weights_only_keras2_0.h5"):
    """Keras 2.0.4 save_weights of LSTM(200) on one-hot 33 chars -> Dense(33) -> softmax
    Activation (no companion JSON was published)."""
    v = W.Values(1504)
    layers = [("lstm_2", W.named("lstm_2", W.lstm(v, 33, 200))),
              ("dense_2", W.named("dense_2", W.dense(v, 200, 33))),
              ("activation_1", [])]
    write_weights_only(os.path.join(folder, name), KerasH5(layers, "2.0.4"))
    return [name]


def write_conv1d(folder, name="conv1d_weights_only_keras2_0.h5",
                 arch="conv1d_weights_only_keras2_0.arch.json"):
    """Keras 2.0.0 functional Model: Input(10, 4) -> 3 x Conv1D(k4, same, relu) -> Flatten ->
    Dense(5, relu) -> Dense(5, softmax), each weighted layer with a zero L1L2 regularizer;
    save_weights lists the InputLayer too."""
    era = C.Era("2.0.0", tf_keras=False)
    v = W.Values(1505)
    nodes = [C.node(C.input_layer(era, "input_1", (10, 4)))]
    layers, previous, n_in = [("input_1", [])], "input_1", 4
    for index, filters in enumerate((3, 2, 1), start=1):
        conv = "conv%d_relu" % index
        nodes.append(C.node(C.conv(era, conv, 1, filters, 4, padding="same", activation="relu",
                                   regularizer=C.l1l2()), previous))
        layers.append((conv, W.named(conv, W.conv(v, (4, n_in, filters)))))
        previous, n_in = conv, filters
    nodes += [C.node(C.flatten(era, "flatten_1"), previous),
              C.node(C.dense(era, "fc1_relu", 5, "relu", regularizer=C.l1l2()), "flatten_1"),
              C.node(C.dense(era, "output_softmax", 5, "softmax", regularizer=C.l1l2()),
                     "fc1_relu")]
    layers += [("flatten_1", []), ("fc1_relu", W.named("fc1_relu", W.dense(v, 10, 5))),
               ("output_softmax", W.named("output_softmax", W.dense(v, 5, 5)))]
    model = C.functional("Model", "model_1", nodes, ["input_1"], ["output_softmax"])
    write_weights_only(os.path.join(folder, name), KerasH5(layers, "2.0.0"))
    # hls4ml's example models keep their JSON pretty-printed with sorted keys.
    write_json(os.path.join(folder, arch), C.to_json_document(model, era), indent=4,
               sort_keys=True)
    return [name, arch]


def write_lstm2_hardsig(folder, name="lstm2_hardsig_keras224_weights_mikniloes.h5",
                        arch="lstm2_hardsig_keras224_mikniloes.json"):
    """Keras 2.2.4: LSTM(32, hard_sigmoid, seq) -> LSTM(32, hard_sigmoid) -> Dense(1) on
    (192, 4); no InputLayer in the Sequential, and both LSTMs carry batch_input_shape."""
    era = C.Era("2.2.4", tf_keras=False)
    v = W.Values(1506)
    config = [C.lstm(era, "lstm_1", 32, "tanh", "hard_sigmoid", True, (192, 4), 1),
              C.lstm(era, "lstm_2", 32, "tanh", "hard_sigmoid", False, (192, 4), 1),
              C.dense(era, "dense_1", 1)]
    layers = [("lstm_1", W.named("lstm_1", W.lstm(v, 4, 32))),
              ("lstm_2", W.named("lstm_2", W.lstm(v, 32, 32))),
              ("dense_1", W.named("dense_1", W.dense(v, 32, 1)))]
    write_weights_only(os.path.join(folder, name), KerasH5(layers, "2.2.4"))
    write_json(os.path.join(folder, arch),
               C.to_json_document(C.sequential("sequential_1", config), era))
    return [name, arch]


def write_lstm_relu(folder, name="lstm_relu_keras212_weights_rishigupta.h5",
                    arch="lstm_relu_keras212_rishigupta.json"):
    """Keras 2.12 save_weights: Input(3, 1) -> LSTM(16, relu) -> Dense(1); vlen name lists and
    the empty top_level_model_weights group."""
    era = C.Era("2.12.0", tf_keras=True)
    v = W.Values(1507)
    config = [C.input_layer(era, "lstm_7_input", (3, 1)),
              C.lstm(era, "lstm_7", 16, "relu", input_shape=(3, 1)),
              C.dense(era, "dense_7", 1)]
    layers = [("lstm_7", W.named("lstm_7/lstm_cell_7", W.lstm(v, 1, 16))),
              ("dense_7", W.named("dense_7", W.dense(v, 16, 1)))]
    spec = KerasH5(layers, "2.12.0", names_kind=VLEN_ASCII, top_level_model_weights=True)
    write_weights_only(os.path.join(folder, name), spec)
    write_json(os.path.join(folder, arch),
               C.to_json_document(C.sequential("sequential_87", config), era))
    return [name, arch]


# (units, activation) of the MLP's Dense layers; the LeakyReLU follows dense_12.
MLP_DENSE = ((512, "tanh"), (512, "linear"), (512, "tanh"), (256, "relu"), (256, "linear"),
             (256, "relu"), (128, "relu"), (1, "linear"))


def write_mlp_leakyrelu(folder, name="mlp_leakyrelu_keras206_weights_vyomshm.h5",
                        arch="mlp_leakyrelu_keras206_vyomshm.json"):
    """Keras 2.0.6: Dense stack on 9 features with a LeakyReLU(0.001) after dense_12; the JSON is
    the old list-form Sequential config."""
    era = C.Era("2.0.6", tf_keras=False)
    v = W.Values(1508)
    config, layers, n_in = [], [], 9
    for number, (units, function) in enumerate(MLP_DENSE, start=11):
        dense = "dense_%d" % number
        config.append(C.dense(era, dense, units, function,
                              input_shape=(9,) if number == 11 else None))
        layers.append((dense, W.named(dense, W.dense(v, n_in, units))))
        n_in = units
        if number == 12:
            config.append(C.leaky_relu(era, "leaky_re_lu_4", 0.0010000000474974513))
            layers.append(("leaky_re_lu_4", []))
    # 826k float32 values: 3.3 MB, like the public file. Not compressed to save space: a
    # chunked stand-in would no longer be the contiguous layout Keras writes, and damaged copies
    # of tiny chunks send libhdf5 down a very slow path (test_corrupt_inputs times out).
    write_weights_only(os.path.join(folder, name), KerasH5(layers, "2.0.6"))
    document = {"backend": "tensorflow", "keras_version": era.version,
                "class_name": "Sequential", "config": config}  # Keras <= 2.1: a bare list
    write_json(os.path.join(folder, arch), document)
    return [name, arch]
