// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Turns the decoded object graph of a torch.save / TorchScript pickle into the model tree.
// Shared by the zip and legacy readers, which differ only in where storage bytes live.
//
// Shapes recognised: state dicts (str -> tensor, dotted keys become layer nodes, the tensor's
// path is exactly the key), checkpoint dicts (nested dicts become groups joined with "/"),
// whole pickled nn.Modules and TorchScript objects (layer nodes with class names and
// hyper-parameters, parameters/buffers at their state_dict names), and anything else as value
// nodes (JSON-like text), so nothing is silently dropped.
#include <cstddef>
#include <functional>
#include <string>

#include "formats/torch_tensor.h"
#include "io/byte_source.h"
#include "model/model.h"
#include "pickle/value.h"

namespace ws::torchfmt {

struct TreeOptions {
    // The bytes of one storage (its whole extent; tensors are views into it).
    std::function<ByteSourcePtr(const StorageRef&)> storageBytes;
    bool bigEndian = false;
    // Hostile pickles can share one container many times over (a DAG that expands
    // exponentially); building stops with a FormatError past this many nodes.
    std::size_t maxNodes = 1000000;
};

// Adds the tree for `root` under model.root. Throws FormatError naming the object on any
// inconsistent tensor (view outside its storage, bad shape).
void buildTorchTree(const pickle::Value& root, const TreeOptions& options, Model& model);

}  // namespace ws::torchfmt
