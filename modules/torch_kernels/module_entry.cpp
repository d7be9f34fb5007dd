// SPDX-License-Identifier: GPL-3.0-or-later
// The C entry points weightsmith-cli finds with dlsym. Kept free of ATen headers (slow to
// compile); the kernels live in keras_forward.cpp and torch_forward.cpp.
#include <exception>

#include "forward_kernels.h"

extern "C" __attribute__((visibility("default"))) int ws_torch_kernels_abi() {
    return ws::verify::kForwardAbi;
}

extern "C" __attribute__((visibility("default"))) void ws_torch_forward(
    const ws::verify::ForwardRequest* request, ws::verify::ForwardResult* result) {
    // Exceptions must not cross the dlopen boundary: they become the result's error.
    try {
        if (request->semantics == "keras")
            result->outputs = ws::torchkernels::runKerasForward(*request);
        else if (request->semantics == "torch")
            result->outputs = ws::torchkernels::runTorchForward(*request);
        else
            result->error = "unknown semantics '" + request->semantics + "'";
    } catch (const std::exception& e) {
        result->error = e.what();
    }
}
