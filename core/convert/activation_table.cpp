// SPDX-License-Identifier: GPL-3.0-or-later
#include "convert/activation_table.h"

#include <map>

namespace ws::convert {

std::optional<TorchActivation> torchActivation(const std::string& name, int kerasMajor) {
    static const std::map<std::string, std::string> plain = {
        {"linear", "x"},
        {"relu", "torch.relu(x)"},
        {"sigmoid", "torch.sigmoid(x)"},
        {"tanh", "torch.tanh(x)"},
        {"elu", "F.elu(x)"},
        {"selu", "torch.selu(x)"},
        {"softplus", "F.softplus(x)"},
        {"softsign", "F.softsign(x)"},
        {"swish", "F.silu(x)"},
        {"silu", "F.silu(x)"},
        {"gelu", "F.gelu(x)"},
        {"exponential", "torch.exp(x)"},
        {"relu6", "F.relu6(x)"},
        {"mish", "F.mish(x)"},
        {"hard_silu", "x * F.relu6(x + 3.0) / 6.0"},
        {"hard_swish", "x * F.relu6(x + 3.0) / 6.0"},
        {"leaky_relu", "F.leaky_relu(x, 0.2)"},
    };
    if (name.empty() || name == "None") return TorchActivation{"x", ""};
    auto it = plain.find(name);
    if (it != plain.end()) return TorchActivation{it->second, ""};
    if (name == "hard_sigmoid") {
        if (kerasMajor >= 3)
            return TorchActivation{"F.relu6(x + 3.0) / 6.0",
                                   "hard_sigmoid is Keras 3's relu6(x + 3) / 6 (not torch.sigmoid; "
                                   "Keras 2 defined it as clip(0.2x + 0.5, 0, 1))"};
        return TorchActivation{
            "torch.clamp(0.2 * x + 0.5, 0.0, 1.0)",
            "hard_sigmoid is Keras 2's clip(0.2x + 0.5, 0, 1) (not torch.sigmoid, "
            "not F.hardsigmoid = relu6(x + 3) / 6)"};
    }
    return std::nullopt;
}

bool nativeRecurrentActivations(const std::string& kind, const std::string& act,
                                const std::string& rec) {
    if (kind == "SimpleRNN") return act == "tanh" || act == "relu";
    return act == "tanh" && rec == "sigmoid";
}

}  // namespace ws::convert
