// SPDX-License-Identifier: GPL-3.0-or-later
#include "layers/keras_gate_assembly.h"

#include <cstring>

#include "io/byte_source.h"
#include "model/error.h"

namespace ws::layers {

namespace {

// Concatenates same-shaped tensors (all but the last axis equal) along the last axis.
std::shared_ptr<Node> concatLastAxis(const std::vector<const Node*>& parts, const std::string& name,
                                     const std::string& path) {
    const Tensor& first = *parts[0]->tensor;
    std::vector<std::int64_t> shape = first.shape;
    if (shape.empty()) throw FormatError("tensor '" + parts[0]->path + "' is a scalar");
    const std::int64_t rows = first.numel() / std::max<std::int64_t>(shape.back(), 1);
    std::int64_t total = 0;
    std::vector<std::vector<double>> values;
    for (const Node* p : parts) {
        const Tensor& t = *p->tensor;
        if (t.shape.size() != shape.size() ||
            !std::equal(shape.begin(), shape.end() - 1, t.shape.begin()))
            throw FormatError("gate array '" + p->path + "' of shape " + shapeToString(t.shape) +
                              " does not match '" + parts[0]->path + "' " + shapeToString(shape));
        total += t.shape.back();
        values.push_back(t.toDoubles());
    }
    std::vector<float> out;
    out.reserve(std::size_t(rows * total));
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::size_t k = 0; k < parts.size(); ++k) {
            const std::int64_t w = parts[k]->tensor->shape.back();
            for (std::int64_t c = 0; c < w; ++c)
                out.push_back(float(values[k][std::size_t(r * w + c)]));
        }
    shape.back() = total;
    std::vector<std::uint8_t> bytes(out.size() * sizeof(float));
    if (!out.empty()) std::memcpy(bytes.data(), out.data(), bytes.size());
    auto t = std::make_shared<Tensor>();
    t->dtype = DType::F32;
    t->shape = shape;
    t->storage = std::make_shared<MemoryByteSource>(std::move(bytes));
    auto node = std::make_shared<Node>(NodeKind::Tensor, name);
    node->path = path;
    node->tensor = t;
    return node;
}

}  // namespace

void assembleKeras1Gates(SemanticLayer& layer, LayerSet& set) {
    std::vector<std::string> gates;
    if (layer.kind == "LSTM")
        gates = {"i", "f", "c", "o"};
    else if (layer.kind == "GRU")
        gates = {"z", "r", "h"};
    else
        return;
    for (const std::string& dir : {std::string(), std::string("backward.")}) {
        if (!layer.tensors.count(dir + "W_" + gates[0])) continue;
        for (const char* prefix : {"W", "U", "b"}) {
            std::vector<const Node*> parts;
            for (const std::string& g : gates) {
                auto it = layer.tensors.find(dir + prefix + "_" + g);
                if (it == layer.tensors.end())
                    throw FormatError("Keras 1 layer '" + layer.name + "' has no " + prefix + "_" +
                                      g + " array among its per-gate weights");
                parts.push_back(it->second);
            }
            const std::string role = std::string(prefix) == "W"   ? "kernel"
                                     : std::string(prefix) == "U" ? "recurrent_kernel"
                                                                  : "bias";
            auto node = concatLastAxis(parts, role, parts[0]->path + " (+ other gates)");
            set.builtNodes.push_back(node);
            for (const std::string& g : gates) layer.tensors.erase(dir + prefix + "_" + g);
            layer.tensors[dir + role] = node.get();
        }
        layer.params["keras1_gates_assembled"] = true;
    }
    if (layer.kind == "GRU" && set.kerasMajor == 1) layer.params["reset_after"] = false;
}

}  // namespace ws::layers
