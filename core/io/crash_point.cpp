// SPDX-License-Identifier: GPL-3.0-or-later
#include "io/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ws {

void crashPoint(const char* name) {
    static const char* const wanted = std::getenv("WS_CRASH_AT");
    if (!wanted || !*wanted) return;
    static int reached = 0;
    const std::string spec = wanted;
    const std::size_t colon = spec.find(':');
    if (spec.compare(0, colon, name) != 0 || std::strlen(name) != std::min(colon, spec.size()))
        return;
    const int nth = colon == std::string::npos ? 1 : std::atoi(spec.c_str() + colon + 1);
    if (++reached == nth) ::kill(::getpid(), SIGKILL);
}

}  // namespace ws
