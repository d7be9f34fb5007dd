// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The human-readable report: header, an aligned tree with one line per node, totals, warnings
// and the pickle report.
#include <string>

#include "report_input.h"

namespace wscli {

std::string textReport(const ReportInput& in);

}  // namespace wscli
