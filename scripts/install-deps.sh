#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs every Debian 12 package Weightsmith needs to build, test and run, skipping those
# already present. Run as root (or through sudo).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build ccache pkg-config clang-14 libclang-rt-14-dev clang-format
  # libraries
  qt6-base-dev qt6-qpa-plugins libqcustomplot-dev libhdf5-dev zlib1g-dev nlohmann-json3-dev
  libgtest-dev libtorch-dev
  # test oracles (never runtime dependencies): real PyTorch, h5py and numpy for /usr/bin/python3
  python3 python3-torch python3-h5py python3-numpy
  # GUI tests and screenshots, benchmarks, packaging checks
  xvfb xauth imagemagick time appstream lintian
  # Debian package (cpack + tests/packaging): dpkg-shlibdeps, the ELF check CPack runs, man
  # pages, desktop/MIME validation and lookup
  dpkg-dev file binutils man-db groff-base desktop-file-utils shared-mime-info libglib2.0-bin
)

# Node.js runs the Keras oracle (tests only); any Node >= 18 with npm will do.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then exec sudo "$0" "$@"; fi
  echo "install-deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
