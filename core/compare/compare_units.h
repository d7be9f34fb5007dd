// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What model comparison pairs: the "units" of each model, and the pairing rules.
//
// Two files of the same framework compare in their stored layout, tensor for tensor: a unit is
// every group that holds tensors directly (a Keras layer's weight group, a PyTorch module), its
// tensors keyed by their own names. A Keras file against a PyTorch one compares in the Keras
// layout through the conversion rules (convert/): the units are the ones the PyTorch -> Keras
// transfer pairs (convert/torch_to_keras_transfer.h: Keras layers with a rule; PyTorch modules,
// one unit per num_layers level), and the PyTorch side's tensors are converted on demand to
// Keras roles and layout ("kernel", "recurrent_kernel", "bias").
//
// Pairing: the user's explicit pairs first, then equal labels of the same kind, then the
// remaining units in order: each A unit takes the first free B unit of the same kind and shape
// (same-format: every tensor's name and shape; cross-format: units and bidirectional agree).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layers/semantic_layer.h"
#include "model/model.h"

namespace ws::compare {

struct CompareUnit {
    std::string label;  // "model_weights/dense/dense", "fc1", "lstm[1]"
    std::string kind;   // "Dense", "LSTM", a class name, or empty when unknown
    std::map<std::string, const Node*> tensors;  // by role; empty for a converted unit
    // Cross-format PyTorch side: the layer and stack level converted to Keras layout on demand.
    const layers::SemanticLayer* layer = nullptr;
    int stackIndex = 0;
    bool converted = false;
    // Cross-format Keras side: the shape before a channels-first Flatten (convert/torch_plan.h).
    std::vector<std::int64_t> preFlattenShape;
    nlohmann::json params = nlohmann::json::object();  // Keras-spelled hyper-parameters
};

// One model's units; owns what they point into (the recognized layers).
struct CompareSide {
    std::string framework;  // "keras" or "torch" (PyTorch, TorchScript, safetensors)
    layers::LayerSet layers;
    std::vector<CompareUnit> units;
    std::vector<std::string> notes;
};

std::string frameworkOf(const Model& model);

// The side's units in its stored layout (same-format comparison). Never throws on content.
std::unique_ptr<CompareSide> storedUnits(const Model& model);
// The side's units for a Keras <-> PyTorch comparison. Throws FormatError when the Keras model
// has no config to recognize layers from or cannot be laid out as PyTorch computes it.
std::unique_ptr<CompareSide> conversionUnits(const Model& model);

enum class PairedBy { User, Name, Order, Unpaired };
const char* pairedByName(PairedBy by);  // "user", "name", "order", "unpaired"

struct UnitPair {
    int a = -1, b = -1;  // indexes into each side's units; -1: no partner on that side
    PairedBy by = PairedBy::Unpaired;
};

// Explicit pairs map an A label to a B label (an empty B label keeps the A unit unpaired).
// Result: A's units in order (with their partners), then B's unpaired units. Throws
// FormatError when an explicit pair names an unknown unit or reuses one.
std::vector<UnitPair> pairUnits(const std::vector<CompareUnit>& a,
                                const std::vector<CompareUnit>& b,
                                const std::map<std::string, std::string>& explicitPairs,
                                bool crossFormat);

}  // namespace ws::compare
