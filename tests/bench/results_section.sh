# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the benchmarks that keep a section of their own in RESULTS.md (edit_bench.sh,
# gui_bench.sh): each section sits between "<!-- NAME: begin -->" and "<!-- NAME: end -->".

# replace_results_section NAME SECTION_FILE RESULTS_FILE: drops NAME's section of an earlier run
# from RESULTS_FILE, keeps everything else, and appends SECTION_FILE.
replace_results_section() {
  local name=$1 section=$2 results=$3
  if [ -f "$results" ]; then
    awk -v begin="<!-- $name: begin -->" -v end="<!-- $name: end -->" \
      'index($0, begin) {skip=1} !skip {print} index($0, end) {skip=0}' \
      "$results" >"$results.tmp"
    mv "$results.tmp" "$results"
    [ -s "$results" ] && echo >>"$results"
  fi
  cat "$section" >>"$results"
}
