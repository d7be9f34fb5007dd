// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns two weight files into the two forward passes `verify` compares: each side's layers as
// ForwardSteps under its own framework's semantics (a Keras file: Keras semantics, one step per
// layer; a PyTorch state_dict: PyTorch semantics, one step per torch.nn module), plus which
// step outputs pair up. A PyTorch state_dict does not record how its modules connect, so its
// chain comes from the Keras side's config planned the way the converter plans it
// (convert/torch_plan.h); its tensors are found by module name, else by order and kind.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/model.h"
#include "verify/forward_request.h"

namespace ws::verify {

struct Side {
    std::string file;
    ForwardRequest request;  // input left empty
};

struct LayerPair {
    // A's layer <-> B's layer, each with its framework: "Keras lstm_1 <-> PyTorch rnn (layer 2
    // of 2)" (the output of a num_layers stack is its last level's). ASCII, so the CLI's
    // columns stay aligned.
    std::string label;
    std::size_t stepA = 0, stepB = 0;
};

struct ForwardProgram {
    Side a, b;
    std::vector<LayerPair> pairs;          // weighted layers whose outputs compare directly
    std::vector<std::int64_t> inputShape;  // Keras input shape without batch (may hold -1)
    std::int64_t tokenRange = 0;           // > 0: the input is token ids in [0, tokenRange)
    std::vector<std::string> notes;
};

// Throws FormatError (with the reason) when the pair cannot be run: two PyTorch files (no
// architecture), a file that is neither, layers verify cannot pair, a refused layer.
ForwardProgram buildForwardProgram(const Model& a, const Model& b,
                                   const nlohmann::json& architecture = nullptr);

}  // namespace ws::verify
