// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Tensors and arrays a file holds that Weightsmith cannot read (a quantized tensor, an unknown
// safetensors dtype, a NumPy object array) are never dropped silently: the reader keeps a
// visible node for each, marked with the reason, and warns. Writers that would leave them out
// (export, convert) refuse unless asked to drop them.
#include <string>
#include <vector>

#include "model/model.h"

namespace ws {

// Marks `node` as an unsupported tensor and records the warning "'<path>': <reason>".
void markUnsupported(Model& model, Node& node, const std::string& reason);

// The reason `node` was marked with, or null for a node that is not an unsupported tensor.
const std::string* unsupportedReason(const Node& node);

// Every unsupported tensor node, in tree order.
std::vector<const Node*> unsupportedNodes(const Model& model);

// Throws FormatError naming (up to ten of) the unsupported tensors `writing` would lose,
// unless there are none or `drop` is set.
void refuseToLoseUnsupported(const Model& model, bool drop, const std::string& writing);

}  // namespace ws
