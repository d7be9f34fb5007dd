#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The main job on a fresh Debian 12 machine: install what is missing, build, and open the
# bundled seed example in the desktop app (inspect it on the terminal when there is no display).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
example="$root/resources/examples/seed_lstm_model.pth"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$root/build/app/weightsmith" "$example"
fi
echo "run-app: no display; showing the example with weightsmith-cli instead"
exec "$root/build/app/weightsmith-cli" inspect "$example"
