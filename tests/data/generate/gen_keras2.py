# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-ins for the Keras 1 and Keras 2 HDF5 files of ../shared/fixtures/real that carry no
licence (MANIFEST.md: "none" / "not checked"). Each has the public file's name and layout
(layout_signature.differences() is empty): groups, datasets, dtypes, shapes, HDF5 string storage,
layer/weight name lists and the config's layer classes and names; values are seeded random
numbers (np.random.default_rng), scaled like Keras' initializers. Where the public file has a
model.to_json() companion, so does the stand-in. Written with h5py only (no Keras needed).

Run with /usr/bin/python3 (Debian's h5py and numpy); make_fixtures.py calls generate().
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras2_keras1  # noqa: E402
import keras2_mobilenet  # noqa: E402
import keras2_models  # noqa: E402

WRITERS = (
    keras2_models.write_lstm_stacked_timeseries,
    keras2_mobilenet.write_teachable_machine,
    keras2_models.write_lstm_char_text_keras20,
    keras2_keras1.write_lstm_char_text,
    keras2_keras1.write_embedding_gru_time_distributed,
    keras2_models.write_conv1d,
    keras2_models.write_cnn_bn,
    keras2_models.write_lstm2_hardsig,
    keras2_models.write_lstm_relu,
    keras2_models.write_mlp_leakyrelu,
    keras2_models.write_gru_relu,
)


def generate(out_dir):
    """Writes the stand-ins under out_dir/keras/; returns their paths relative to out_dir."""
    folder = os.path.join(out_dir, "keras")
    os.makedirs(folder, exist_ok=True)
    written = []
    for write in WRITERS:
        written += ["keras/" + name for name in write(folder)]
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 gen_keras2.py OUT_DIR")
    for path in generate(sys.argv[1]):
        print(path)
