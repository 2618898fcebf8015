#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite (or the paths given, e.g. tests/queue_server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PYTHONUNBUFFERED=1
set +e
.venv/bin/python -m pytest "${@:-tests}"
rc=$?
set -e
# pytest exits 5 when no test was collected: that is a failure here, not a pass.
exit $rc
