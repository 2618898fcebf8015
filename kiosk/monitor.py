"""The kiosk's two background watchers. The hall refresh reads the hall, its queues, windows and
(once) its items every `refresh_s`, and while the server cannot be reached retries with backoff
(1, 2, 4 … `reconnect_max_s` s). The health watch asks every device every 5 s and reports to the
server when anything changed, and otherwise every `health_s`. Both hand what they found to the UI
thread through `post`; the controller owns the state."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from hardware.health import Health

from .api import ApiClient, ApiError
from .config import Timeouts
from .devices import DeviceSet
from .replies import HallInfo, Item, QueueInfo

log = logging.getLogger("kiosk")

HEALTH_EVERY_S = 5.0


@dataclass(frozen=True)
class HallData:
    hall: HallInfo
    queues: list[QueueInfo]
    windows: dict[str, str]  # window id → its name
    items: list[Item] | None  # None: not fetched this time (the kiosk has them)


@dataclass(frozen=True)
class Listeners:
    """What the controller does, on the UI thread, with what the watchers found."""

    online: Callable[[HallData], None]
    offline: Callable[[], None]
    health: Callable[[dict[str, Health]], None]


class Monitor:
    def __init__(self, api: ApiClient, devices: DeviceSet, timeouts: Timeouts, *, clock: Callable[[], float],
                 post: Callable[[Callable[[], None]], None], listeners: Listeners,
                 need_items: Callable[[], bool], app_info: Callable[[], dict[str, str]]) -> None:
        self.api = api
        self.devices = devices
        self.timeouts = timeouts
        self.clock = clock
        self.post = post
        self.listeners = listeners
        self.need_items = need_items
        self.app_info = app_info
        self.next_retry_at: float | None = None  # while unreachable: when the next attempt is
        self._stop = threading.Event()
        self._wake_hall = threading.Event()
        self._wake_health = threading.Event()
        self._last_report: tuple[tuple[str, str, str], ...] | None = None
        self._last_report_at = 0.0

    def start(self) -> None:
        threading.Thread(target=self._hall_loop, name="kiosk-monitor", daemon=True).start()
        threading.Thread(target=self._health_loop, name="kiosk-health", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._wake_hall.set()
        self._wake_health.set()

    def refresh_now(self) -> None:
        self._wake_hall.set()

    def check_health_now(self) -> None:
        self._wake_health.set()

    # -- the hall ------------------------------------------------------------------------------------
    def _fetch(self) -> HallData:
        hall = self.api.hall_info()
        queues = self.api.queues()
        windows = {w.id: w.name for w in self.api.windows()}
        return HallData(hall, queues, windows, self.api.items() if self.need_items() else None)

    def _hall_loop(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            wait = self.timeouts.refresh_s
            try:
                fetched = self._fetch()
            except ApiError as exc:
                if exc.unreachable:
                    wait = backoff
                    backoff = min(backoff * 2, self.timeouts.reconnect_max_s)
                    self.next_retry_at = self.clock() + wait
                    self.post(self.listeners.offline)
                else:
                    log.warning("hall refresh refused: %s", exc)
            except Exception:
                log.exception("hall refresh failed")
            else:
                backoff = 1.0
                self.next_retry_at = None
                self.post(functools.partial(self.listeners.online, fetched))
            self._wake_hall.wait(wait)
            self._wake_hall.clear()

    # -- device health ---------------------------------------------------------------------------------
    def _health_loop(self) -> None:
        while not self._stop.is_set():
            try:
                health = self.devices.health()
                self.post(functools.partial(self.listeners.health, health))
                self._maybe_report(health)
            except Exception:
                log.exception("health check failed")
            self._wake_health.wait(HEALTH_EVERY_S)
            self._wake_health.clear()

    def _maybe_report(self, health: dict[str, Health]) -> None:
        signature = tuple((n, h.level.value, h.message_zh) for n, h in sorted(health.items()))
        now = self.clock()
        if signature == self._last_report and now - self._last_report_at < self.timeouts.health_s:
            return
        try:
            self.api.report_health(components(health), self.app_info())
        except ApiError as exc:
            log.info("health report not delivered: %s", exc)
            return
        self._last_report, self._last_report_at = signature, now


def components(health: dict[str, Health]) -> list[dict[str, str]]:
    """The health report's `components`: each configured device with its level and words."""
    return [{"name": name, "level": h.level.value, "message_zh": h.message_zh[:200],
             "message_en": h.message_en[:200]} for name, h in sorted(health.items())]
