#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Times `weightsmith-cli edit` changing one value of a generated ~1 GiB state_dict and saving it
# (to a new file, and over itself), against `cp` of the same file (with and without an fsync,
# since the editor syncs before it renames). Checks the result with torch (exactly one element
# differs). Appends/replaces its section in tests/bench/RESULTS.md.
#   tests/bench/edit_bench.sh [CLI] [BENCH_DIR] [REPS]
# Defaults: build-edit/app/weightsmith-cli, build-edit/bench, 3. The generated file stays in
# BENCH_DIR (a build directory, never in git) and is reused when present.
set -eu
. "$(dirname "$0")/results_section.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
cli=${1:-$src/build-edit/app/weightsmith-cli}
dir=${2:-$src/build-edit/bench}
reps=${3:-3}
py=/usr/bin/python3
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)"; exit 2; }
[ -x "$cli" ] || { echo "no CLI at $cli"; exit 2; }
mkdir -p "$dir"
sd=$dir/edit_bench_state_dict.pth
if [ ! -f "$sd" ]; then
  # 16 x Linear(4096, 4096): 16 weights of 64 MiB plus biases, torch.save of the state_dict.
  "$py" - "$sd" <<'PY'
import sys, torch
torch.manual_seed(0)
sd = {}
for i in range(16):
    sd["layers.%d.weight" % i] = torch.randn(4096, 4096)
    sd["layers.%d.bias" % i] = torch.randn(4096)
torch.save(sd, sys.argv[1])
PY
fi

rows=$dir/edit_rows.txt
: >"$rows"
measure() {  # LABEL CMD...: REPS timed runs after one warm-up; median/min/max wall, peak RSS
  label=$1
  shift
  "$@" >/dev/null 2>&1 || { echo "FAILED: $*"; "$@" 2>&1 | tail -5; return 1; }
  times="" rss=0 i=0
  while [ $i -lt "$reps" ]; do
    /usr/bin/time -f "%e %M" -o "$dir/edit_time.txt" "$@" >/dev/null 2>&1
    times="$times $(cut -d' ' -f1 "$dir/edit_time.txt")"
    m=$(cut -d' ' -f2 "$dir/edit_time.txt")
    [ "$m" -gt "$rss" ] && rss=$m
    i=$((i + 1))
  done
  sorted=$(echo $times | tr ' ' '\n' | sort -n)
  med=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '| %s | %s | %s–%s | %s |\n' "$label" "$med" "$(echo "$sorted" | head -1)" \
    "$(echo "$sorted" | tail -1)" "$((rss / 1024))" | tee -a "$rows"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
out=$dir/edit_bench_out.pth
inplace=$dir/edit_bench_inplace.pth
cat "$sd" >/dev/null  # warm the page cache
cp "$sd" "$inplace"
echo "| operation | median wall s | min–max s | peak RSS MiB |"
echo "|---|---|---|---|"
measure "cp FILE OUT" cp "$sd" "$out"
measure "cp FILE OUT && sync OUT" sh -c "cp '$sd' '$out' && sync '$out'"
measure "weightsmith-cli edit FILE --set 'layers.7.weight[100,200]=0.5' -o OUT" \
  "$cli" edit "$sd" --set "layers.7.weight[100,200]=0.5" -o "$out"
measure "weightsmith-cli edit FILE --add 'layers.7.weight[100,200]=1' -o FILE (in place)" \
  "$cli" edit "$inplace" --add "layers.7.weight[100,200]=1" -o "$inplace"

# The saved file differs from the source in exactly that element (torch decides).
check=$("$py" - "$sd" "$out" <<'PY'
import sys, torch
a, b = torch.load(sys.argv[1]), torch.load(sys.argv[2])
diff = [(k, (a[k] != b[k]).nonzero().tolist()) for k in a if not torch.equal(a[k], b[k])]
ok = list(a) == list(b) and diff == [("layers.7.weight", [[100, 200]])] and \
    b["layers.7.weight"][100, 200].item() == 0.5
print("ok" if ok else "MISMATCH %r" % diff[:3])
PY
)
echo "torch check of OUT: $check"

results=$src/tests/bench/RESULTS.md
section=$dir/edit_section.md
{
  echo "<!-- edit_bench.sh: begin -->"
  echo "## Benchmark: edit one value of a ~1 GiB state_dict and save"
  echo
  echo "Run by \`tests/bench/edit_bench.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')." \
       "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs, $(awk \
       '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM; load average" \
       "$load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (shared CPUs:" \
       "compare rows with each other)."
  echo "Input: \`edit_bench_state_dict.pth\`, $(($(stat -c %s "$sd") / 1048576)) MiB" \
       "(torch.save of 16 x Linear(4096, 4096) weights and biases, float32), warm page cache," \
       "one warm-up run then $reps timed runs per row. The editor maps the file, copies the one" \
       "edited 64 MiB storage, writes a temporary file (unchanged records copied from the" \
       "mapping), fsyncs it and renames it over OUT. Peak RSS counts the pages of the mapped" \
       "source that were copied (shared page cache, not memory of its own); the editor's own" \
       "allocation is the one storage copy. torch check of OUT: $check."
  echo
  echo "| operation | median wall s | min–max s | peak RSS MiB |"
  echo "|---|---|---|---|"
  cat "$rows"
  echo "<!-- edit_bench.sh: end -->"
} >"$section"
# Replace an earlier run's section, keep everything else in RESULTS.md.
replace_results_section edit_bench.sh "$section" "$results"
rm -f "$out" "$inplace"
echo "wrote $results"
