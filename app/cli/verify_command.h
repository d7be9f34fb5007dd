#pragma once
#include <string>
#include <vector>

namespace wscli {

// `weightsmith-cli verify A B [--input-shape ...] [--tolerance T] [--seed N]`: runs both models
// on the same seeded random input, each under its own framework's semantics (libtorch module,
// loaded on first use), and compares layer by layer. Exit 0 within tolerance, 3 beyond it,
// 1 unreadable / unrunnable input, 2 usage error.
int runVerify(const std::vector<std::string>& args);

}  // namespace wscli
