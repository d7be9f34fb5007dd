// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The `inspect --json` document, exactly the keys of the contract in the project brief.
#include <string>

#include "report_input.h"

namespace wscli {

// The whole document; with ReportInput::only set, "tree" holds just that node under the root.
std::string jsonReport(const ReportInput& in);

}  // namespace wscli
