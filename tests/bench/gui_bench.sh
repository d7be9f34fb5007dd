#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# GUI benchmarks for issue 5, appended as their own section to tests/bench/RESULTS.md:
#  1. heatmap preparation of 4096² and 16384² f32 tensors (ws_heatmap_bench: streamed from the
#     mapped file, reduced to 512 × 512 with the colour range; then the statistics/histogram
#     passes), warm page cache;
#  2. launch of `weightsmith FILE` to the first paint of the model tree (WS_FIRST_PAINT_REPORT=1
#     makes the app print the wall clock at that paint and quit), on ~1 GiB models, with the
#     offscreen platform and under one xvfb-run X server.
#   tests/bench/gui_bench.sh [BUILD_DIR] [REPS]     (defaults: build-gui2, 5)
# Generated inputs stay in BUILD_DIR/bench (never in git). The 16-layer state_dict comes from
# make_bench_files.py (BENCH_PTH overrides its path).
set -eu
. "$(dirname "$0")/results_section.sh"
if [ "${1:-}" = "--first-paint-runs" ]; then  # inner loop: FILE REPS APP
  file=$2 reps=$3 app=$4 i=0
  while [ $i -le "$reps" ]; do  # run 0 is the warm-up
    t0=$(date +%s%N)
    out=$(WS_FIRST_PAINT_REPORT=1 "$app" "$file")
    t1=$(echo "$out" | sed -n 's/^first-paint-epoch-ns: //p')
    main=$(echo "$out" | sed -n 's/^first-paint-ms-since-main: //p')
    [ $i -gt 0 ] && echo "$(((t1 - t0) / 1000000)) $main"
    i=$((i + 1))
  done
  exit 0
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-gui2}
reps=${2:-5}
dir=$build/bench
app=$build/app/weightsmith
bench=$build/tests/bench/ws_heatmap_bench
[ -x "$app" ] && [ -x "$bench" ] || { echo "build $build first (WS_BUILD_GUI=ON)"; exit 2; }
mkdir -p "$dir"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

"$bench" "$dir" "$reps" >"$dir/heatmap_rows.md"
cat "$dir/heatmap_rows.md"

pth=${BENCH_PTH:-$dir/bench_state_dict.pth}
if [ ! -f "$pth" ]; then
  /usr/bin/python3 "$src/tests/bench/make_bench_files.py" "$dir" 2>&1 | grep -v Warning || true
fi

# stats "label" file: runs the first-paint loop, prints a table row (median, min–max).
paint_row() {
  label=$1 file=$2 platform=$3
  shift 3
  [ -f "$file" ] || { echo "| $label | $platform | missing | |"; return; }
  runs=$(XDG_CONFIG_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d) "$@" sh "$0" \
    --first-paint-runs "$file" "$reps" "$app")
  size=$(($(stat -L -c %s "$file") / 1048576))
  n=$(echo "$runs" | wc -l)
  wall=$(echo "$runs" | cut -d' ' -f1 | sort -n)
  main=$(echo "$runs" | cut -d' ' -f2 | sort -n | sed -n "$(((n + 1) / 2))p")
  echo "| $label ($size MiB) | $platform | $(echo "$wall" | sed -n "$(((n + 1) / 2))p") |" \
       "$(echo "$wall" | head -1)–$(echo "$wall" | tail -1) | $main |"
}
paint_rows=$dir/paint_rows.md
{
  paint_row "heatmap_bench.safetensors: 2 tensors" "$dir/heatmap_bench.safetensors" offscreen \
    env QT_QPA_PLATFORM=offscreen
  paint_row "bench_state_dict.pth: 16 × Linear(4096, 4096)" "$pth" offscreen \
    env QT_QPA_PLATFORM=offscreen
  paint_row "heatmap_bench.safetensors: 2 tensors" "$dir/heatmap_bench.safetensors" xvfb \
    xvfb-run -a -s "-screen 0 1600x1000x24"
  paint_row "bench_state_dict.pth: 16 × Linear(4096, 4096)" "$pth" xvfb \
    xvfb-run -a -s "-screen 0 1600x1000x24"
} >"$paint_rows"
cat "$paint_rows"

results=$src/tests/bench/RESULTS.md
section=$dir/gui_section.md
{
  echo "<!-- gui_bench.sh: begin -->"
  echo "## Benchmark: GUI heatmap preparation and launch to first paint"
  echo
  echo "Run by \`tests/bench/gui_bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')." \
       "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs shared with" \
       "other jobs; load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at" \
       "the end (compare rows with each other, not with other runs). Warm page cache, one" \
       "warm-up run, then $reps timed runs (histogram rows: half as many)."
  echo
  echo "Heatmap preparation (\`ws_heatmap_bench\`, what the heatmap tab runs on its worker):" \
       "the tensor's cells read from the mapped file and reduced to 512 × 512 block means and" \
       "block max|x| in one pass that also yields max|x| and the 99th-percentile clip (a" \
       "histogram estimate of |x|); threads = row bands read in parallel. The histogram tab's" \
       "statistics and 100-bin histogram are two more streaming passes, on their own worker." \
       "CPU ms is the process's CPU time (all its threads): on a loaded machine it shows what" \
       "the work costs where wall time shows how long it waited for a core."
  echo
  cat "$dir/heatmap_rows.md"
  echo
  echo "Launch to first paint: wall time from starting \`weightsmith FILE\` to the first paint" \
       "of the model tree (the app prints the clock there with WS_FIRST_PAINT_REPORT=1 and" \
       "quits); 'since main' excludes process start-up and dynamic linking. The xvfb rows run" \
       "all launches under one xvfb-run X server."
  echo
  echo "| model | platform | median ms | min–max ms | median ms since main() |"
  echo "|---|---|---|---|---|"
  cat "$paint_rows"
  echo "<!-- gui_bench.sh: end -->"
} >"$section"
# Replace an earlier run's section, keep everything else in RESULTS.md.
replace_results_section gui_bench.sh "$section" "$results"
echo "wrote $results"
