"""The one way the kiosk waits for a device (a QR scan, a social security card, an ID card, a face):
a thread polls until the device gives something, the time is up, or the citizen left the screen;
what happened is handed to the UI thread. Starting a wait, or `cancel()` (back, home, the idle
timer), makes every earlier wait stale: it stops at its next poll and nothing it finds is shown.

    waits.start("card", read_once, seconds=60, every=0.3,
                found=card_read, timed_out=wait_over, failed=reader_failed)

`poll(waiting)` returns None while there is nothing yet; it may post progress with
`waiting.post(fn)` (the face check's advice) and raises for a failure that ends the wait.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from .jobs import Jobs

T = TypeVar("T")


class Waiting:
    """One running wait, as its poll function sees it."""

    def __init__(self, waits: DeviceWaits, generation: int) -> None:
        self._waits = waits
        self.generation = generation

    @property
    def current(self) -> bool:
        """False once the kiosk stopped or the citizen moved on."""
        return self._waits.current(self.generation)

    def post(self, fn: Callable[[], None]) -> None:
        """Progress for the screen (the wait goes on); dropped if the wait is stale by then."""
        self._waits.jobs.deliver(fn, when=lambda: self.current)

    def finish(self, fn: Callable[[], None]) -> None:
        """The outcome: run on the UI thread unless stale; the wait is over then."""

        def last() -> None:
            self._waits.cancel()
            fn()

        self._waits.jobs.deliver(last, when=lambda: self.current)


class DeviceWaits:
    def __init__(self, jobs: Jobs, stopping: threading.Event) -> None:
        self.jobs = jobs
        self._stopping = stopping
        self._generation = 0

    def current(self, generation: int) -> bool:
        return generation == self._generation and not self._stopping.is_set()

    def cancel(self) -> None:
        """The citizen left the screen: whatever is waiting stops and its result is dropped."""
        self._generation += 1

    def start(self, name: str, poll: Callable[[Waiting], T | None], *, seconds: float, every: float,
              found: Callable[[T], None], timed_out: Callable[[], None] | None = None,
              failed: Callable[[Exception], None] | None = None,
              finally_: Callable[[], None] | None = None) -> None:
        """Poll every `every` seconds (0: `poll` blocks by itself) for at most `seconds`. `found`,
        `timed_out` and `failed` run on the UI thread; `finally_` on the wait's thread as it ends,
        however it ends."""
        self.cancel()
        run = _Run(Waiting(self, self._generation), poll, seconds, every, found, timed_out, failed, finally_)
        threading.Thread(target=run, name=f"kiosk-{name}", daemon=True).start()


class _Run(Generic[T]):
    def __init__(self, waiting: Waiting, poll: Callable[[Waiting], T | None], seconds: float, every: float,
                 found: Callable[[T], None], timed_out: Callable[[], None] | None,
                 failed: Callable[[Exception], None] | None, finally_: Callable[[], None] | None) -> None:
        self.waiting, self.poll, self.seconds, self.every = waiting, poll, seconds, every
        self.found, self.timed_out, self.failed, self.finally_ = found, timed_out, failed, finally_

    def __call__(self) -> None:
        waiting = self.waiting
        deadline = time.monotonic() + self.seconds
        try:
            while waiting.current and time.monotonic() < deadline:
                try:
                    result = self.poll(waiting)
                except Exception as exc:
                    if self.failed is not None:
                        waiting.finish(functools.partial(self.failed, exc))
                    return
                if result is not None:
                    waiting.finish(functools.partial(self.found, result))
                    return
                if self.every:
                    time.sleep(self.every)
            if self.timed_out is not None and waiting.current:
                waiting.finish(self.timed_out)
        finally:
            if self.finally_ is not None:
                self.finally_()
