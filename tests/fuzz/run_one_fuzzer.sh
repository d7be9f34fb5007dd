#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one libFuzzer harness for a bounded time on a seed corpus built from the fixtures.
#   run_one_fuzzer.sh BINARY NAME SECONDS WORKDIR
# Exit status is libFuzzer's: 0 when nothing was found. Crash reproducers land in
# WORKDIR/NAME/artifacts/; the last lines of the log show executions and coverage.
# open_model: the HDF5 reader rehearses its metadata walk in a forked child and rejects the file
# when libhdf5 crashes there. libFuzzer's handlers live on in that child, so such a contained
# crash still writes a crash-* artifact (its stack shows ws::h5::rehearseIsolated) while the
# fuzzer itself carries on; only the fuzzer's own exit status counts.
set -eu
bin=$1 name=$2 seconds=$3 work=$4
python=${WS_ORACLE_PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")" && pwd)
dir=$work/$name
mkdir -p "$dir/corpus" "$dir/artifacts"
# Seeds are rebuilt each run from the fixtures; the corpus the fuzzer grew is kept beside them.
"$python" "$here/make_seed_corpus.py" "$name" "$dir/seeds" 2>&1 | grep -v Warning || true
export TMPDIR="$dir"
# The HDF5 reader stops a looping metadata walk after 20 s by default; fail fast instead so such
# contained loops stay well inside libFuzzer's -timeout.
export WS_HDF5_WALK_TIMEOUT="${WS_HDF5_WALK_TIMEOUT:-3}"
# allocator_may_return_null: libhdf5 (not instrumented, not ours) asks malloc for absurd sizes
# read from damaged files and handles the NULL; ASan would otherwise report it as a crash.
# A huge allocation in our code still surfaces, as an uncaught std::bad_alloc.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:allocator_may_return_null=1"
# libhdf5's own small leaks on its error paths (see tests/formats/lsan_libhdf5.supp).
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:suppressions=$here/../formats/lsan_libhdf5.supp"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:print_stacktrace=1:halt_on_error=1"
status=0
# In a session of its own, so helper processes the code under test forks (the HDF5 reader
# rehearses its metadata walk in a child) can be cleaned up if libFuzzer exits on a timeout.
setsid "$bin" "$dir/corpus" "$dir/seeds" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
  >"$dir/log.txt" 2>&1 &
pid=$!
wait "$pid" || status=$?
kill -KILL -- "-$pid" 2>/dev/null || true
grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$dir/log.txt" || true
if [ "$status" -ne 0 ]; then
  echo "fuzz_$name FAILED (exit $status); log: $dir/log.txt; artifacts:"
  ls "$dir/artifacts"
  grep -m1 -A30 -E "ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:" "$dir/log.txt" || tail -40 "$dir/log.txt"
fi
exit "$status"
