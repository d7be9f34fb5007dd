// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Named points where the crash tests kill the process (SIGKILL, like kill -9) to prove that
// nothing is lost or left behind there: with WS_CRASH_AT=<name> (or <name>:<n>, the n-th time
// the point is reached) in the environment, reaching the point kills the process at once.
// Without the variable a point costs one comparison.
namespace ws {

void crashPoint(const char* name);

}  // namespace ws
