"""Counts requests against [server.request_limits] (core/request_limits.py) and refuses beyond
them with 429 `rate_limited` and `Retry-After`: issuing and identification per device, the public
tracking routes per client address. Counting is the `limits` library's sliding window in this
process's memory (keys expire with their window, so a flood of made-up addresses cannot grow it
for long); with several server processes each counts its own."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import StrEnum

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from hall_common.vocabulary import ErrorCode

from ..core.errors import TooManyRequests
from ..core.request_limits import Rate, RequestLimits


class Limited(StrEnum):
    ISSUE = "issue"
    IDENTIFY = "identify"
    TRACK = "track"


_WORDS = {  # what is limited, in the refusal
    Limited.ISSUE: ("ticket issuing from this device", "本设备取号过于频繁"),
    Limited.IDENTIFY: ("identification from this device", "本设备身份核验过于频繁"),
    Limited.TRACK: ("requests from this address", "本机访问过于频繁"),
}


@dataclass(frozen=True)
class Refusal:
    what: Limited
    key: str
    rate: Rate
    retry_after_s: int
    started: bool  # the key's first refusal in this window: the caller audits it once, not per request

    def error(self) -> TooManyRequests:
        english, chinese = _WORDS[self.what]
        return TooManyRequests(
            f"too many {english}: at most {self.rate.count} in {self.rate.per_s} s; try again in {self.retry_after_s} s",
            f"{chinese}，请约 {self.retry_after_s} 秒后再试",
            code=ErrorCode.RATE_LIMITED, retry_after_s=self.retry_after_s,
        )


class RequestLimiter:
    def __init__(self, settings: RequestLimits):
        self.settings = settings
        self._strategy = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._items: dict[Rate, RateLimitItem] = {}
        self._refusing_until: dict[tuple[Limited, str], float] = {}
        self._defaults = {
            Limited.ISSUE: settings.issue_per_device,
            Limited.IDENTIFY: settings.identify_per_device,
            Limited.TRACK: settings.track_per_address,
        }

    def take(self, what: Limited, key: str, rate: Rate | None = None) -> Refusal | None:
        """Counts one request: None when it is within the rate, else the refusal."""
        rate = rate or self._defaults[what]
        item = self._items.get(rate)
        if item is None:
            item = self._items[rate] = RateLimitItemPerSecond(rate.count, rate.per_s)
        if self._strategy.hit(item, what.value, key):
            return None
        now = time.time()
        reset = self._strategy.get_window_stats(item, what.value, key).reset_time
        started = self._refusing_until.get((what, key), 0.0) <= now
        if started:
            if len(self._refusing_until) > 10_000:  # forget refusals that have ended
                self._refusing_until = {k: v for k, v in self._refusing_until.items() if v > now}
            self._refusing_until[(what, key)] = now + rate.per_s
        return Refusal(what, key, rate, max(1, math.ceil(reset - now)), started)
