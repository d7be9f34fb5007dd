// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The order in which Keras layers create their variables, which is the order of
// `vars/0, vars/1, ...` in Keras 3 weight files: Dense -> kernel, bias; LSTMCell -> kernel,
// recurrent_kernel, bias; BatchNormalization -> gamma, beta, moving_mean, moving_variance.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ws::keras {

// Variable names for a layer entry ({"class_name", "config"}), or empty when the class is not
// one whose variables are known. QKeras classes (QDense, QConv2D...) follow their base class.
std::vector<std::string> variableNames(const nlohmann::json& entry);

}  // namespace ws::keras
