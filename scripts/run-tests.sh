#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, then runs every test stage, each even when an earlier one failed:
#   release  Release build (GUI, libtorch module) and every test: unit, format oracles (real
#            torch / h5py / the Keras oracle), GUI offscreen, the Debian packages
#   asan     the unit and robustness tests again under AddressSanitizer + UBSan
#   fuzz     a short bounded libFuzzer run of every harness
# Prints a summary (stage, passed, failed, skipped, minutes) and exits non-zero when a stage
# failed or a test was skipped (WS_ALLOW_SKIP=1 lets skips pass).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

"$root/scripts/install-deps.sh" || exit 1

# The Keras oracle (TensorFlow.js, tests/oracle) runs real Keras files for the conversion tests.
oracle="$root/tests/oracle"
if [ ! -f "$oracle/node_modules/.package-lock.json" ] ||
   [ "$oracle/package-lock.json" -nt "$oracle/node_modules/.package-lock.json" ]; then
  echo "== Keras oracle: npm ci"
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error) || exit 1
fi

# Counts passed / failed / skipped from a ctest JUnit report into $results/<stage>.
count_junit() {
  python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
tests = int(suite.get("tests", 0)); failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
skipped = int(suite.get("skipped", 0)) + int(suite.get("disabled", 0))
open(sys.argv[2], "w").write("%d %d %d\n" % (tests - failed - skipped, failed, skipped))
PY
}

# run_stage NAME BUILD_DIR "CTEST ARGS" [CMAKE ARGS...]: builds, runs ctest, records the counts.
run_stage() {
  local name=$1 build=$2 ctest_args=$3
  shift 3
  local start=$SECONDS status=0
  echo "== stage $name: build ($build)"
  if WS_BUILD_DIR="$build" "$root/scripts/build.sh" "$@"; then
    echo "== stage $name: ctest $ctest_args"
    # shellcheck disable=SC2086
    (cd "$build" && ctest --output-on-failure --timeout 1500 --output-junit "$results/$name.xml" \
       $ctest_args) || status=1
    if [ -f "$results/$name.xml" ]; then count_junit "$results/$name.xml" "$results/$name"; fi
  else
    echo "== stage $name: build failed"
    status=1
  fi
  [ -f "$results/$name" ] || echo "0 0 0" > "$results/$name"
  echo "$status $(( (SECONDS - start + 30) / 60 ))" >> "$results/$name"
}

run_stage release "$root/build" "-j $jobs"
run_stage asan "$root/build-asan" "-j $jobs -L unit|robustness" \
  -DWS_SANITIZE=ON -DWS_BUILD_GUI=OFF
CC=clang-14 CXX=clang++-14 run_stage fuzz "$root/build-fuzz" "-L fuzz" \
  -DWS_FUZZ=ON -DWS_BUILD_GUI=OFF -DWS_BUILD_TESTS=ON

echo
echo "== summary"
printf '%-8s %7s %7s %8s %8s  %s\n' stage passed failed skipped minutes result
total_passed=0 total_failed=0 total_skipped=0 broken=0
for name in release asan fuzz; do
  read -r passed failed skipped < <(sed -n 1p "$results/$name")
  read -r status minutes < <(sed -n 2p "$results/$name")
  verdict=ok
  if [ "$status" -ne 0 ] || [ "$failed" -gt 0 ]; then verdict=FAILED; broken=1; fi
  if [ "$skipped" -gt 0 ] && [ "${WS_ALLOW_SKIP:-0}" != 1 ]; then verdict="$verdict, skips refused"; broken=1; fi
  printf '%-8s %7d %7d %8d %8d  %s\n' "$name" "$passed" "$failed" "$skipped" "$minutes" "$verdict"
  total_passed=$((total_passed + passed)) total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
done
echo "summary: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit $broken
