"""Work off the UI thread, results back on it. Every network call and device operation runs on a
worker (or device) thread; what it found is posted to the UI thread, which alone changes the flow,
and the screen is redrawn after it. `pending` counts what is still on its way (tests and the touch
driver wait for it to reach 0).

    jobs.run(api.queues, got_queues, refused)   # got_queues(result) or refused(error), on the UI thread
    jobs.deliver(show_advice)                   # from a device thread: run on the UI thread, then redraw
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from .api import ApiError
from .strings import t

log = logging.getLogger("kiosk")

T = TypeVar("T")
Post = Callable[[Callable[[], None]], None]


class Jobs:
    def __init__(self, post: Post, render: Callable[[], None], unexpected: Callable[[], None]) -> None:
        """`post` runs a callable on the UI thread; `render` redraws; `unexpected` takes the
        citizen home with a message when a callback itself fails."""
        self._post = post
        self._render = render
        self._unexpected = unexpected
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="kiosk-io")
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        return self._pending

    def _count(self, step: int) -> None:
        with self._lock:
            self._pending += step

    def _on_ui(self, fn: Callable[[], None], when: Callable[[], bool] | None = None) -> None:
        """Post `fn` (counted as pending until it ran), guard it, redraw after it."""
        self._count(1)

        def run() -> None:
            try:
                if when is not None and not when():
                    return
                try:
                    fn()
                except Exception:
                    log.exception("kiosk callback failed")
                    self._unexpected()
            finally:
                self._count(-1)
            self._render()

        self._post(run)

    def run(self, work: Callable[[], T], done: Callable[[T], None], failed: Callable[[ApiError], None]) -> None:
        """`work()` on a worker thread; then `done(result)` or `failed(error)` on the UI thread. An
        unexpected exception is an ApiError for the citizen ("服务器暂时出现问题"), never a crash."""
        self._count(1)

        def job() -> None:
            try:
                result = work()
            except ApiError as exc:
                self._on_ui(functools.partial(failed, exc))
                return
            except Exception as exc:
                log.exception("kiosk job failed")
                error = ApiError("bad_response", 0, exc.__class__.__name__, t("msg.server_error", "zh"),
                                 t("msg.server_error", "en"))
                self._on_ui(functools.partial(failed, error))
                return
            finally:
                self._count(-1)
            self._on_ui(functools.partial(done, result))

        try:
            self._pool.submit(job)
        except RuntimeError:  # shutting down
            self._count(-1)

    def deliver(self, fn: Callable[[], None], *, when: Callable[[], bool] | None = None) -> None:
        """From any thread: run `fn` on the UI thread (skipped when `when()` is then false)."""
        self._on_ui(fn, when)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def noop(_value: Any = None) -> None:
    """A result nobody waits for (a background refresh of the item list)."""
