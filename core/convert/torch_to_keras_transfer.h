// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// PyTorch -> Keras transfer into a template: a PyTorch file (state_dict, whole pickled module or
// checkpoint) and a Keras file of the same architecture. The weighted layers of both sides are
// paired (order + kind, checked by shape; explicit pairs from a mapping override the order),
// every pair goes through the rule engine (convert_engine.h, PyTorch -> Keras direction), and
// the results are written as edits of the template's own tensors, so that saving the template
// (save/save_model.h) keeps everything else in it (config, optimizer weights, attributes).
//
// Stacked recurrent layers: a PyTorch num_layers=N module provides N units "lstm[0]".."lstm[N-1]",
// each going into one Keras layer (Keras has one layer per stack level).
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convert/dense_array.h"
#include "layers/semantic_layer.h"
#include "model/model.h"

namespace ws::convert {

struct TransferTensor {
    std::string sourceNames;  // PyTorch state_dict key(s) it came from
    std::string targetPath;   // the Keras tensor's path in the template
    std::string transform;  // "transpose(1,0)", "gates i,f,g,o -> i,f,c,o, bias_ih + bias_hh", ...
    std::string sourceShape, targetShape;
};

struct TransferPair {
    std::string sourceUnit, sourceKind;  // "lstm[1]", "LSTM"
    std::string targetLayer, targetKind;
    // The source's name in TransferOptions::mapping when it is not sourceUnit (Keras -> PyTorch:
    // the converted module "lstm" for the Keras layers "lstm, lstm_1").
    std::string mappingKey;
    bool fromMapping = false;  // paired by the user's mapping rather than by order
    std::vector<TransferTensor> tensors;
    std::vector<std::string> notes;
};

// One pair checked on its own, as the transfer would convert it (the transfer dialog shows
// every re-paired row's own verdict, where the transfer itself stops at the first refusal).
struct PairVerdict {
    TransferPair pair;    // names, kinds and as many tensors as could be worked out
    std::string refusal;  // the transfer's message for this pair; empty when it converts
    bool ok() const { return refusal.empty(); }
};

struct TransferOptions {
    // Explicit pairs, source unit -> template layer name ({"fc": "dense_1", "lstm[1]": "lstm_1"}).
    std::map<std::string, std::string> mapping;
};

struct TransferResult {
    std::vector<TransferPair> pairs;
    std::vector<std::string> notes;     // skipped source modules, BN eps taken from the template...
    std::vector<std::string> warnings;  // reported, never dropped
    std::size_t tensorsWritten = 0;
    bool generated = false;     // a generated Keras model (torch_to_keras_model.h), not a template
    bool kerasToTorch = false;  // the reverse transfer (keras_to_torch_transfer.h)
};

// One PyTorch layer, or one level `stackIndex` of a num_layers stack (Keras has one layer per
// level): what goes into one Keras layer.
struct TorchUnit {
    const layers::SemanticLayer* layer = nullptr;
    int stackIndex = 0;
    std::string label;  // "fc", "lstm[2]"
};

// A Keras layer that receives one TorchUnit.
struct KerasUnit {
    const layers::SemanticLayer* layer = nullptr;
    std::vector<std::int64_t> preFlattenShape;  // Dense after a Flatten of a channels-first tensor
};

// The PyTorch units with a conversion rule, in file order; modules without one are named in
// `notes`. Transfers and model comparison (compare/) pair these with kerasTransferUnits().
std::vector<TorchUnit> torchTransferUnits(const layers::LayerSet& set,
                                          std::vector<std::string>& notes);
// The Keras layers with a conversion rule in execution order (throws FormatError as
// planTorchModel does when the model cannot be computed by PyTorch).
std::vector<KerasUnit> kerasTransferUnits(const layers::LayerSet& set);

// Parses a --mapping file's JSON: an object {"source unit": "template layer"} or a list of
// {"source": ..., "target": ...}. Throws FormatError saying what is wrong.
std::map<std::string, std::string> parseTransferMapping(const nlohmann::json& doc);

// Transfers `source`'s weights into `keras` (edited in memory through an EditSession-compatible
// applyEdit; save it with saveModel). Throws FormatError naming both layers and their shapes
// when the architectures do not match; `keras` is then left unedited.
TransferResult transferTorchToKeras(const Model& source, Model& keras,
                                    const TransferOptions& options = TransferOptions());

// Runs check(source, target, report) for every pair of `pairs`, its FormatError becoming that
// pair's refusal: the per-pair checks of both transfer directions.
std::vector<PairVerdict> checkEachPair(
    const std::map<std::string, std::string>& pairs,
    const std::function<void(const std::string&, const std::string&, TransferPair&)>& check);

// Each (source unit -> template layer) of `pairs` converted and shape-checked on its own, the way
// transferTorchToKeras converts it; nothing is written. Throws FormatError only when a side as a
// whole cannot be paired (kerasTransferUnits refuses the template).
std::vector<PairVerdict> checkTorchToKerasPairs(const Model& source, const Model& keras,
                                                const std::map<std::string, std::string>& pairs);

// One PyTorch unit (a layer, or level `stackIndex` of a num_layers stack) as Keras tensors by
// role in the rule's order (kernel, recurrent_kernel, bias), with the report lines (source
// names and shapes, transform, Keras shape; targetPath left to the caller). preFlattenShape:
// the Keras unit's (KerasUnit), so a Dense after a Flatten gets its rows in Keras order.
std::vector<std::pair<std::string, DenseArray>> torchUnitToKeras(
    const layers::SemanticLayer& source, int stackIndex, const nlohmann::json& kerasParams,
    TransferPair& report, const std::vector<std::int64_t>& preFlattenShape = {});

// Overwrites the whole template tensor at `node` (a tensor of `model`) with `a` in the tensor's
// own dtype, as one Restore edit (edit/edit_ops.h): saveModel then writes it like any edit.
void writeTemplateTensor(Model& model, const Node& node, const DenseArray& a);

std::string transferReportText(const TransferResult& result);
nlohmann::json transferReportJson(const TransferResult& result);

}  // namespace ws::convert
