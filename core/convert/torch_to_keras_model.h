// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Standalone PyTorch -> Keras: a Keras 2 full-model .h5 with a generated model_config, for the
// two shapes of model whose computation a PyTorch file determines well enough:
//   - the seed-style recurrent regressor: nn.LSTM / nn.GRU (unidirectional, batch_first,
//     num_layers = N) -> [Dropout] -> nn.Linear on the last time step, becoming a Keras
//     Sequential InputLayer / N recurrent layers (return_sequences on all but the last) /
//     Dropout / Dense;
//   - a whole pickled nn.Sequential of Linear layers, activations and Dropout.
// Anything else is refused: the PyTorch file does not say how its modules connect, so a Keras
// template of the same architecture is required (torch_to_keras_transfer.h).
//
// Names: each Keras layer is named after the PyTorch module ("lstm", "lstm_1", ... for the
// levels of a stack, "linear"), so converting the result back (keras_to_torch.h, which merges the
// stack into one num_layers module named after its first layer) gives the original state_dict
// keys.
#include <string>
#include <vector>

#include "convert/torch_to_keras_transfer.h"
#include "model/model.h"

namespace ws::convert {

// Throws FormatError (saying a template is required) when `source` is not one of the shapes
// above; otherwise writes `path` (.h5) atomically and returns the mapping report.
TransferResult writeGeneratedKerasModel(const Model& source, const std::string& path);

}  // namespace ws::convert
