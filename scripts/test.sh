#!/usr/bin/env bash
# Sets everything up, then runs the whole test suite (or the paths given, e.g. tests/queue_server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PYTHONUNBUFFERED=1
# The tests play whole scenarios inside one service day in Shanghai (a reservation two hours from now,
# a hall that opens later today), so a run must not cross Shanghai's midnight halfway: started in the
# last 45 minutes of a day, the suite waits for the next day to begin (a full run takes 20-40 minutes).
wait_s=$(.venv/bin/python -c '
import datetime as dt, zoneinfo
now = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai"))
left = (now.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1) - now).total_seconds()
print(int(left) + 60 if left < 45 * 60 else 0)')
if ((wait_s > 0)); then
  echo "test: ${wait_s} s to Shanghai midnight and one minute; waiting, so that the run stays in one service day"
  sleep "$wait_s"
fi
set +e
.venv/bin/python -m pytest "${@:-tests}"
rc=$?
set -e
# pytest exits 5 when no test was collected: that is a failure here, not a pass.
exit $rc
