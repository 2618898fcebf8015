#!/usr/bin/env bash
# Sets everything up, then runs the demo: the server on SQLite with the demo hall, a kiosk and a
# hall screen on simulated hardware, and the staff console's address. Ctrl-C stops it all.
# On the first start the demo hall gets three weeks of simulated history (simulate seed-history:
# every ticket through the server's own services), so the manager's 统计分析 page has real charts;
# DEMO_HISTORY_DAYS=0 skips it (an existing data/demo/queue.sqlite3 is never seeded).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

HISTORY_DAYS="${DEMO_HISTORY_DAYS:-21}"
HISTORY="data/demo/history"
# Only into a new database: days written behind a hall that already runs would go back in time.
if [ "$HISTORY_DAYS" -gt 0 ] && [ ! -e "$HISTORY/seeded" ] && [ ! -e data/demo/queue.sqlite3 ]; then
  mkdir -p "$HISTORY"
  # Every window staffed 09:00–12:00 and 13:00–17:00 with a short break; a hall's weekday shape.
  cat > "$HISTORY/plan.toml" <<'EOF'
hall = "demo"
name = "演示大厅 工作日"
shifts = [["09:00", "12:00"], ["13:00", "17:00"]]

[[windows]]
ids = ["W01", "W02", "W03", "W04", "W05", "W06", "W07", "W08"]
breaks = [["10:30", "10:40"]]
EOF
  cat > "$HISTORY/forecast.toml" <<'EOF'
hall = "demo"
green_share = 0.05
reservation_share = 0.15

[rates]
A = { "09" = 5, "10" = 6, "11" = 3, "13" = 4, "14" = 5, "15" = 4, "16" = 2 }
B = { "09" = 6, "10" = 7, "11" = 4, "13" = 5, "14" = 6, "15" = 5, "16" = 2 }
C = { "09" = 8, "10" = 9, "11" = 5, "13" = 6, "14" = 7, "15" = 6, "16" = 3 }
D = { "09" = 5, "10" = 6, "11" = 3, "13" = 4, "14" = 4, "15" = 4, "16" = 2 }
K = { "09" = 3, "10" = 3, "11" = 2, "13" = 2, "14" = 3, "15" = 2, "16" = 1 }
EOF
  echo "demo: writing ${HISTORY_DAYS} days of history for the statistics page (first start only) …"
  .venv/bin/python -m queue_server simulate seed-history --config config/demo.toml \
    --database "sqlite:///$(pwd)/data/demo/queue.sqlite3" --data-dir data/demo \
    --plan "$HISTORY/plan.toml" --forecast "$HISTORY/forecast.toml" --days "$HISTORY_DAYS" --quiet
  touch "$HISTORY/seeded"
fi
exec .venv/bin/python scripts/demo.py "$@"
