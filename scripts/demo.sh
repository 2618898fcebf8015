#!/usr/bin/env bash
# Sets everything up, then runs the demo: the server on SQLite with the demo hall, a kiosk and a
# hall screen on simulated hardware, and the staff console's address. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python scripts/demo.py "$@"
