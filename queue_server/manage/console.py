"""What the console keeps while the server runs: the pause book and the alert monitor, both fed by
the hall's events. Started and stopped by the console router's lifespan (api/manage.py)."""

from __future__ import annotations

from collections.abc import Callable

from ..runtime import Runtime
from .alerting import AlertMonitor
from .live import PauseBook


class Console:
    def __init__(self, rt: Runtime):
        self.rt = rt
        self.pauses = PauseBook(rt)
        self.alerts = AlertMonitor(rt, self.pauses)
        self._unsubscribe: list[Callable[[], None]] = []

    def start(self) -> None:
        """On the running loop."""
        for hall in self.rt.config.halls:
            self._unsubscribe.append(self.rt.hub.subscribe(hall.id, self.pauses.watcher(hall.id)))
        self._unsubscribe += self.alerts.start()

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        await self.alerts.stop()
