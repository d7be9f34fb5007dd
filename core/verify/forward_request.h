// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The plain C++ boundary between weightsmith-cli and the libtorch module
// (modules/torch_kernels, libweightsmith_torch.so): a chain of layer steps with their weights
// as doubles, run under one framework's semantics. No libtorch types here, so core and the CLI
// never need torch headers; both sides are built by the same compiler from this header, and
// kForwardAbi guards against a stale module.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ws::verify {

// Bumped whenever a struct below changes layout or meaning.
constexpr int kForwardAbi = 1;

struct Array {
    std::vector<std::int64_t> shape;
    std::vector<double> values;  // C order
};

// One layer (or, under PyTorch semantics, one module such as a num_layers LSTM).
struct ForwardStep {
    std::string name;    // for messages: the layer / module name
    std::string kind;    // Keras vocabulary (semantic_layer.h): "Dense", "LSTM", "Flatten", ...
    std::string params;  // JSON object: hyper-parameters in Keras spelling (+ "num_layers")
    // Keras semantics: Keras roles ("kernel", "recurrent_kernel", "moving_mean",
    // "backward.kernel"); PyTorch semantics: state_dict suffixes ("weight_ih_l1").
    std::map<std::string, Array> tensors;
};

struct ForwardRequest {
    int abi = kForwardAbi;
    std::string semantics;  // "keras" or "torch"
    int kerasMajor = 2;     // Keras 2 and 3 define hard_sigmoid differently
    std::vector<ForwardStep> steps;
    Array input;  // Keras layout (channels-last, batch-first) with the batch axis
};

struct ForwardResult {
    std::string error;  // non-empty: the step that cannot be computed and why
    // One output per step, in Keras layout (the PyTorch side moves channels back to the last
    // axis), except after a channels-first Flatten where the layouts legitimately differ.
    std::vector<Array> outputs;
};

}  // namespace ws::verify

// The module's entry points (C linkage so dlsym finds them by plain name).
extern "C" {
typedef int (*WsTorchAbiFn)();
typedef void (*WsTorchForwardFn)(const ws::verify::ForwardRequest* request,
                                 ws::verify::ForwardResult* result);
}
