#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Crash-journal benchmark (issue 18), its own section in tests/bench/RESULTS.md: journal bytes
# and the longest event-loop gap for a 64 MiB bulk edit, a save, and 100 single-cell edits after
# them (ws_journal_bench, offscreen).
#   tests/bench/journal_bench.sh [BUILD_DIR]     (default: build)
# The 64 MiB model is made with the oracle python's torch in BUILD_DIR/bench (never in git).
set -eu
. "$(dirname "$0")/results_section.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build}
bench=$build/tests/bench/ws_journal_bench
[ -x "$bench" ] || { echo "build $build first"; exit 2; }
dir=$build/bench/journal
rm -rf "$dir"
mkdir -p "$dir/journal"
/usr/bin/python3 -c "
import sys, torch
g = torch.Generator().manual_seed(1)
torch.save({f'big{i}': torch.randn(2048, 2048, generator=g) for i in range(4)}, sys.argv[1])
" "$dir/model.pth"
load=$(cut -d' ' -f1-3 /proc/loadavg)
rows=$(QT_QPA_PLATFORM=offscreen "$bench" "$dir/model.pth" "$dir/journal")
section=$dir/section.md
{
  echo "<!-- journal_bench: begin -->"
  echo "## Benchmark: crash journal after a 64 MiB bulk edit and a save"
  echo
  echo "\`tests/bench/journal_bench.sh\` on $(date -u +%Y-%m-%d), load average $load (machine shared"
  echo "with other builds). Journal size is the file after the phase (append-only: the save and"
  echo "the edits after it add records, nothing is written again)."
  echo
  echo "| phase | wall ms | longest event-loop gap ms (10 ms ticks) | journal bytes after |"
  echo "|---|---|---|---|"
  echo "$rows"
  echo "<!-- journal_bench: end -->"
} >"$section"
cat "$section"
replace_results_section journal_bench "$section" "$src/tests/bench/RESULTS.md"
