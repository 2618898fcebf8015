"""The optional `[halls.alerts]` table (排队超时预警 thresholds and where alerts are sent), hooked
into the hall's config model by `queue_server/config.py`. Described in docs/config.md.

    [halls.alerts.queue]            # every queue
    longest_wait_s = 1800
    [halls.alerts.queues.B]         # one queue: its keys replace the defaults; 0 turns one off
    longest_wait_s = 2700
    [halls.alerts.window]
    paused_s = 900
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from hall_common.phones import MOBILE_PATTERN

from ..core.alerts import Limits, QueueLimits, WindowLimits

_SECONDS = Field(default=None, ge=0, le=7 * 86400)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueThresholds(_Strict):
    longest_wait_s: int | None = _SECONDS  # the longest-waiting ticket has waited this long
    waiting: int | None = Field(default=None, ge=0, le=100_000)  # this many wait
    estimate_s: int | None = _SECONDS  # a ticket taken now would wait this long


class WindowThresholds(_Strict):
    paused_s: int | None = _SECONDS  # paused this long
    serving_s: int | None = _SECONDS  # one ticket called or in service this long


class AlertSettings(_Strict):
    queue: QueueThresholds = QueueThresholds()
    queues: dict[str, QueueThresholds] = {}
    window: WindowThresholds = WindowThresholds()
    windows: dict[str, WindowThresholds] = {}
    # Each raised alert is POSTed here as JSON (through the notifier's HTTP gateway) …
    webhook_url: Annotated[str, Field(pattern=r"^https?://", max_length=500)] | None = None
    # … and texted to these numbers through the [server.sms] gateway (only logged without one).
    sms_to: tuple[Annotated[str, Field(pattern=MOBILE_PATTERN)], ...] = Field(default=(), max_length=20)

    def check(self, queue_ids: Iterable[str], window_ids: Iterable[str]) -> None:
        """Raise ValueError naming a queue or window the hall does not have."""
        for what, listed, known in (("queues", self.queues, set(queue_ids)), ("windows", self.windows, set(window_ids))):
            for key in listed:
                if key not in known:
                    raise ValueError(f"alerts.{what} lists unknown {what[:-1]} {key!r}")

    def limits(self, queue_ids: Iterable[str], window_ids: Iterable[str]) -> Limits:
        """Every queue's and window's thresholds, defaults merged with their own table."""
        return Limits(
            queues={q: QueueLimits(**_merged(self.queue, self.queues.get(q))) for q in queue_ids},
            windows={w: WindowLimits(**_merged(self.window, self.windows.get(w))) for w in window_ids},
        )


def _merged(defaults: _Strict, own: _Strict | None) -> dict[str, int | None]:
    merged = defaults.model_dump()
    if own is not None:
        merged.update(own.model_dump(exclude_none=True))
    return {key: value or None for key, value in merged.items()}  # 0: turned off
