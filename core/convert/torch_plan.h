// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How a chain of Keras layers becomes PyTorch modules: which layers merge into one module
// (stacked recurrent layers -> num_layers), the attribute (= state_dict prefix) of each, and
// the tensor layout between them. PyTorch works channels-first (N, C, H, W) for convolutions
// and batch-first (N, T, F) for sequences, Keras channels-last; the plan records where the
// generated module moves the channel axis and which Flatten sees a channels-first tensor (the
// Dense after it then needs its kernel rows reordered).
#include <string>
#include <vector>

#include "convert/convert_engine.h"
#include "layers/semantic_layer.h"

namespace ws::convert {

struct TorchBlock {
    std::string attr;                 // module attribute and state_dict prefix; empty: weightless
    std::string kind;                 // the Keras kind of its layers
    std::vector<std::size_t> layers;  // indexes into LayerSet::layers (a merged stack has several)
    bool channelsFirstIn = false;     // layout of the block's input inside the PyTorch module
    bool channelsFirstOut = false;
    std::size_t rankIn = 0;                     // tensor rank without batch (0: unknown)
    std::vector<std::int64_t> preFlattenShape;  // Dense after a channels-first Flatten
    double stackDropout = 0;                    // Dropout rate between merged recurrent layers
};

struct TorchPlan {
    std::vector<TorchBlock> blocks;
    bool inputChannelsFirst = false;
    std::vector<std::string> notes;
};

struct PlanOptions {
    bool mergeStacks = true;  // consecutive compatible LSTM/GRU/SimpleRNN -> one num_layers module
};

// Throws FormatError with the reason when the layers cannot be converted: a weighted layer
// kind without a rule, GRU reset_after=False, a Dense after a Flatten whose input shape is
// unknown, a model that is not a chain but needs one (Flatten).
TorchPlan planTorchModel(const layers::LayerSet& set, const PlanOptions& options = PlanOptions());

// The reason a single layer cannot be converted, or empty.
std::string layerRefusal(const layers::SemanticLayer& layer);

bool isSpatialKind(const std::string& kind);  // Conv*, pooling: computed channels-first in PyTorch

}  // namespace ws::convert
