#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds Release, and runs every test: unit, format oracles (real
# torch / h5py), GUI (offscreen), then the robustness tests again under ASan+UBSan, and a
# short bounded libFuzzer run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/scripts/install-deps.sh"

# The Keras oracle (TensorFlow.js) runs real Keras files for the conversion tests: install it
# into the build folder from the read-only shared copy.
oracle_src="$root/../shared/tools/keras-oracle"
if [ -d "$oracle_src" ]; then
  export WS_KERAS_ORACLE="$root/build/keras-oracle"
  if [ ! -d "$WS_KERAS_ORACLE/node_modules" ]; then
    mkdir -p "$root/build"
    rm -rf "$WS_KERAS_ORACLE" && cp -r "$oracle_src" "$WS_KERAS_ORACLE" && chmod -R u+w "$WS_KERAS_ORACLE"
    (cd "$WS_KERAS_ORACLE" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

echo "== Release build and all tests"
"$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure -j "$jobs" --timeout 1500)

echo "== AddressSanitizer + UndefinedBehaviorSanitizer: unit and robustness tests"
WS_BUILD_DIR="$root/build-asan" "$root/scripts/build.sh" -DWS_SANITIZE=ON -DWS_BUILD_GUI=OFF
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$jobs" \
   --timeout 1500 -L 'unit|robustness')

if [ -f "$root/tests/fuzz/CMakeLists.txt" ]; then
  echo "== libFuzzer harnesses, short bounded run"
  CC=clang-14 CXX=clang++-14 WS_BUILD_DIR="$root/build-fuzz" "$root/scripts/build.sh" \
    -DWS_FUZZ=ON -DWS_BUILD_GUI=OFF -DWS_BUILD_TESTS=ON
  (cd "$root/build-fuzz" && ctest --output-on-failure --timeout 600 -L fuzz)
fi
