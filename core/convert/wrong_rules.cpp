// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/wrong_rules.h"

namespace ws::convert {

std::optional<LayerRule> wrongRule(const std::string& name) {
    if (name == "gru-no-gate-swap") {
        LayerRule r = *findRule("GRU");
        for (std::size_t g = 0; g < r.gateOrder.size(); ++g) r.gateOrder[g] = int(g);
        r.torchGates = r.kerasGates;  // the report then shows no gate step, as nothing moves
        return r;
    }
    if (name == "lstm-bias-copied") {
        LayerRule r = *findRule("LSTM");
        // Neither bias part is summed: each PyTorch bias gets the whole Keras bias.
        for (TensorRule& t : r.tensors)
            if (t.sum != SumPart::None) t.sum = SumPart::None;
        return r;
    }
    return std::nullopt;
}

std::vector<std::string> wrongRuleNames() { return {"gru-no-gate-swap", "lstm-bias-copied"}; }

}  // namespace ws::convert
