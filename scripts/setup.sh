#!/usr/bin/env bash
# Installs everything the demo and the tests need, only what is missing. Safe to run again.
# Target: a fresh Debian 12 machine with Python 3.11, run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  postgresql            # tests run the storage suite on a real PostgreSQL
  chromium              # headless browser tests of the web pages
  nginx                 # the TLS reverse proxy (deploy/nginx/), run by tests/operations/test_tls_proxy.py
  pcscd libpcsclite-dev # PC/SC stack for the card reader (headers to build pyscard)
  vsmartcard-vpcd python3-virtualsmartcard  # virtual reader + card for the card tests
  fonts-noto-cjk        # Chinese glyphs for Chromium and the renderers
  xvfb                  # an X server for Kivy windows where offscreen SDL is not wanted
  espeak-ng             # optional Mandarin voice for hall screens
  iproute2 util-linux   # network namespaces for pcscd tests
  swig                  # pyscard build
  libmtdev1             # Kivy's multitouch input (quiet start on touch panels)
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi

# Reinstall Python packages only when pyproject.toml or the lock changed. requirements.lock pins
# every package of the test environment (which holds every deployable) with its hashes.
stamp=.venv/.pyproject.sha256
want=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages (requirements.lock, hashes checked)"
  .venv/bin/pip install -q --require-hashes -r requirements.lock
  .venv/bin/pip install -q --no-deps -e .   # the project itself, its packages from the lock
  echo "$want" > "$stamp"
fi
