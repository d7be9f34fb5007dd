// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Test-only negative controls: deliberately wrong rows of the rule table, passed in as
// RuleOverrides (rule_table.h) so that tests can prove the forward check notices a wrong rule
// (CLI: `convert --debug-break-rule NAME`). Each is the table's own row with one fact broken, so
// the engine and the table stay free of test cases.
#include <optional>
#include <string>
#include <vector>

#include "convert/rule_table.h"

namespace ws::convert {

// "gru-no-gate-swap": GRU gate blocks copied in Keras order (z,r,h) instead of PyTorch's r,z,n.
// "lstm-bias-copied": the Keras LSTM bias copied into both PyTorch biases instead of bias + 0.
// nullopt for any other name.
std::optional<LayerRule> wrongRule(const std::string& name);

// The names wrongRule knows, for usage messages.
std::vector<std::string> wrongRuleNames();

}  // namespace ws::convert
