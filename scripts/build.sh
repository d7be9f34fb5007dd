#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures and builds Weightsmith (Release, Ninja, ccache) into build/ (or $WS_BUILD_DIR).
# Extra arguments go to cmake's configure step, e.g. -DWS_BUILD_GUI=OFF.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${WS_BUILD_DIR:-$root/build}
# ccache sees paths inside the checkout as relative ones, so a clone in another folder (CI's
# fresh clone) reuses what an earlier build compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j "$(nproc)"
