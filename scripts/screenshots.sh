#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders the documentation screenshots from real files with the app's hidden screenshot mode
# (--screenshot OUT --select PATH --view heatmap|tiles|histogram|values|layer) under xvfb-run.
#
#   scripts/screenshots.sh [BUILD_DIR]      (default: build-gui, then build)
#
# Needs xvfb-run. Uses the bundled example (resources/examples) and the test fixtures that ctest
# lays out in build/test-data (WS_FIXTURES; run the tests once first) for the conv-kernel shot.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-}"
if [[ -z "$build" ]]; then
  for candidate in "$repo/build-gui" "$repo/build"; do
    [[ -x "$candidate/app/weightsmith" ]] && build="$candidate" && break
  done
fi
app="$build/app/weightsmith"
[[ -x "$app" ]] || { echo "screenshots.sh: no weightsmith binary in '$build' (build with WS_BUILD_GUI=ON)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "screenshots.sh: xvfb-run is not installed" >&2; exit 1; }

out="$repo/docs/screenshots"
examples="$repo/resources/examples"
fixtures="${WS_FIXTURES:-$build/test-data}"
mkdir -p "$out"

shoot() {  # shoot NAME FILE NODE VIEW
  local name="$1" file="$2" node="$3" view="$4"
  if [[ ! -f "$file" ]]; then
    echo "SKIP: $name ($file not found)"
    return
  fi
  # A private settings/runtime location: screenshots never touch the user's recent files.
  XDG_CONFIG_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)" \
    xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$app" --screenshot "$out/$name.png" --select "$node" --view "$view" --size 1400x860 "$file"
}

# The start page (no file: the window as it opens first; the recent list stays empty).
XDG_CONFIG_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)" \
  xvfb-run -a -s "-screen 0 1600x1000x24" \
  "$app" --screenshot "$out/start_page.png" --view start --size 1400x860
shoot lstm_kernel_heatmap "$examples/seed_lstm_state_dict.pth" lstm.weight_hh_l0 heatmap
shoot lstm_layer_overview "$examples/seed_lstm_state_dict.pth" lstm layer
shoot conv_kernel_tiles "$fixtures/pytorch/cnn_batchnorm_mnist_state_dict.pt" conv2.weight tiles
shoot histogram_statistics "$fixtures/pytorch/cnn_batchnorm_mnist_state_dict.pt" fc1.weight histogram
shoot keras_lstm_gates "$fixtures/keras/lstm_stacked_timeseries_keras2.h5" \
  "model_weights/lstm_1/lstm_1/lstm_cell/recurrent_kernel:0" heatmap

# The transfer dialog (mapping table + parity result) is rendered by its UI test: it builds the
# matching PyTorch model in real torch (/usr/bin/python3) and runs the parity check through the
# libtorch module, so it needs a build with WS_BUILD_TORCH_MODULE=ON.
transfer_test="$build/tests/ui/ui_test_transfer"
if [[ -x "$transfer_test" ]]; then
  XDG_CONFIG_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)" WS_SCREENSHOT_DIR="$out" \
    WS_FIXTURES="$fixtures" WS_TORCH_MODULE="$build/app/libweightsmith_torch.so" \
    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$transfer_test" transfersTorchIntoKerasTemplateWithParity rePairedLayerShowsMismatch
else
  echo "SKIP: transfer_mapping ($transfer_test not built)"
fi

# The compare view (pairs table, A | B | A-B heatmaps, overlaid histograms) is rendered by its UI
# test: B is a copy of a fixture edited by real torch (/usr/bin/python3) at test time.
compare_test="$build/tests/ui/ui_test_compare"
if [[ -x "$compare_test" ]]; then
  XDG_CONFIG_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)" WS_SCREENSHOT_DIR="$out" \
    WS_FIXTURES="$fixtures" QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$compare_test" selectingPairFillsHeatmaps
else
  echo "SKIP: compare ($compare_test not built)"
fi

# Editing (values table with edited cells highlighted, edit history panel, "*" on the tab) is
# rendered by its UI test in the middle of its edit -> undo -> redo -> save scenario.
editing_test="$build/tests/ui/ui_test_editing"
if [[ -x "$editing_test" ]]; then
  XDG_CONFIG_HOME="$(mktemp -d)" XDG_RUNTIME_DIR="$(mktemp -d)" WS_JOURNAL_DIR="$(mktemp -d)" \
    WS_SCREENSHOT_DIR="$out" WS_FIXTURES="$fixtures" QT_QPA_PLATFORM=xcb \
    xvfb-run -a -s "-screen 0 1600x1000x24" "$editing_test" editUndoRedoSaveReopenTorch
else
  echo "SKIP: editing ($editing_test not built)"
fi
echo "screenshots in $out"
