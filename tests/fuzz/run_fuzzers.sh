#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer harnesses (clang-14, ASan + UBSan) and runs each for SECONDS.
#   tests/fuzz/run_fuzzers.sh SECONDS [BUILD_DIR]       (default BUILD_DIR: build-fuzz)
# Prints executions per harness and any crash with its reproducer path; exits non-zero if a
# harness found something.
set -eu
seconds=${1:?usage: run_fuzzers.sh SECONDS [BUILD_DIR]}
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$src/build-fuzz}
export WS_FIXTURES="${WS_FIXTURES:-$build/test-data}"
# The seeds come from the test fixtures; lay them out as ctest would.
[ -d "$WS_FIXTURES" ] || /usr/bin/python3 "$src/tests/data/generate/make_fixtures.py" "$WS_FIXTURES"
export WS_EXAMPLES="${WS_EXAMPLES:-$src/resources/examples}"

if [ ! -f "$build/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWS_FUZZ=ON -DWS_BUILD_GUI=OFF
fi
harnesses="pickle zip torch_legacy safetensors keras_config open_model"
targets=""
for h in $harnesses; do targets="$targets fuzz_$h"; done
ninja -C "$build" -j2 $targets

failed=""
for h in $harnesses; do
  echo "== fuzz_$h ($seconds s)"
  "$src/tests/fuzz/run_one_fuzzer.sh" "$build/tests/fuzz/fuzz_$h" "$h" "$seconds" \
    "$build/tests/fuzz/work" || failed="$failed $h"
done
if [ -n "$failed" ]; then
  echo "harnesses with findings:$failed"
  exit 1
fi
echo "no findings"
