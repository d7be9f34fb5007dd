// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Keras <-> PyTorch conversion rules as data: one row per layer kind, each listing how every
// Keras tensor role becomes PyTorch state_dict entries. convert_engine.h reads these rows in
// both directions; nothing about a layer kind is hard-coded anywhere else.
#include <limits>
#include <string>
#include <vector>

namespace ws::convert {

// How a Keras tensor relates to PyTorch tensors that together hold it.
enum class SumPart {
    None,     // one Keras tensor <-> one PyTorch tensor
    Carrier,  // Keras = sum of the parts; Keras -> PyTorch puts the whole value here
    Zero,     // ...and this part becomes zeros (PyTorch -> Keras adds it in)
};

struct TensorRule {
    std::string
        kerasRole;  // "kernel", "bias", ...; Bidirectional's backward half: "backward." + role
    // The state_dict suffix; "{k}" is the stacked layer index and "{dir}" "" or "_reverse".
    std::string torchName;
    // PyTorch axis i = Keras axis toTorchAxes[i] (numpy.transpose); empty: same layout.
    std::vector<int> toTorchAxes;
    bool gateBlocks = false;  // reorder the gate blocks of PyTorch axis 0 (LayerRule::gateOrder)
    int kerasRow = -1;  // the PyTorch tensor is this row of the Keras tensor (GRU bias (2,3h))
    SumPart sum = SumPart::None;
    // Depthwise kernels: after the permutation (C, m, k...) the first two axes merge and a unit
    // axis follows: (C*m, 1, k...).
    bool depthwiseMerge = false;
    // Kernel rows follow a Flatten: reordered between channels-last and channels-first order.
    bool flattenRows = false;
    // Spatial kernel axes (Keras layout) that Theano-backend files store flipped.
    std::vector<int> theanoFlipAxes;
    // Keras may omit it (use_bias/center/scale false) while the PyTorch module still needs it
    // (BatchNorm affine is all or nothing): the value to fill in; NaN = omit on both sides.
    double fillWhenAbsent = std::numeric_limits<double>::quiet_NaN();
    // Keras may legitimately lack it (use_bias=False, center/scale=False); any other missing
    // tensor is an error naming the layer and role.
    bool optional = false;
};

struct LayerRule {
    std::string kind;         // canonical Keras kind (layers/semantic_layer.h)
    std::string torchModule;  // "nn.Linear", "nn.LSTM", ...
    bool recurrent = false;   // tensors repeat per stacked layer {k} and direction {dir}
    // PyTorch gate block g = Keras gate block gateOrder[g]; empty when not gated.
    std::vector<int> gateOrder;
    std::string kerasGates, torchGates;  // for the report: "i,f,c,o" / "i,f,g,o"
    std::vector<TensorRule> tensors;
    // PyTorch buffers with no Keras counterpart, exported as int64 zero scalars.
    std::vector<std::string> torchCounters;
};

// Our own dataset in the layer group of a Keras .h5 that Weightsmith generates from PyTorch
// (torch_to_keras_model.h): the PyTorch bias_ih and bias_hh of a summed-bias layer (LSTM,
// SimpleRNN) as rows 0 and 1, in the Keras bias layout (Keras gate order). Keras keeps only
// their sum; this lets the way back restore both bit for bit. It is not listed in the layer's
// weight_names, so Keras and tfjs, which load by weight_names, ignore it; recognition puts it
// in SemanticLayer::extras (its name starts with layers::kOwnDatasetPrefix).
constexpr const char* kTorchBiasSplitRole = "weightsmith_torch_bias_ih_hh";

const std::vector<LayerRule>& ruleTable();
const LayerRule* findRule(const std::string& kind);  // null when no row exists

}  // namespace ws::convert
