"""systemd readiness and watchdog for the display apps. The pings are sent from the UI thread's
clock, so a frozen screen stops pinging and systemd restarts it (WatchdogSec in the units)."""

from __future__ import annotations

from hall_common.sd_notify import notify, watchdog_interval_s

__all__ = ["notify", "watchdog_interval_s", "ready", "alive"]


def ready(status: str = "") -> bool:
    return notify("READY=1" + (f"\nSTATUS={status}" if status else ""))


def alive(status: str = "") -> bool:
    return notify("WATCHDOG=1" + (f"\nSTATUS={status}" if status else ""))
