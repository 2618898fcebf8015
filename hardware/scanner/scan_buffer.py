"""Collects the characters of one scan, whatever the transport. A scanner sends a code in one
burst; a long gap means the scan broke off (or a person is typing on the wedge), so the partial
text is dropped rather than glued to the next scan. An endless stream (a stuck key, noise) is
capped instead of growing without bound."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

DEFAULT_MAX_LENGTH = 2048  # a dense QR code holds ≈ 1,800 characters; 鲁通码 far fewer
DEFAULT_CHAR_TIMEOUT = 0.3  # scanners send a character every 1-50 ms


class ScanBuffer:
    def __init__(
        self,
        max_length: int = DEFAULT_MAX_LENGTH,
        char_timeout: float = DEFAULT_CHAR_TIMEOUT,
        source: str = "scanner",
    ):
        if max_length < 1 or char_timeout <= 0:
            raise ValueError("max_length and char_timeout must be positive")
        self.max_length = max_length
        self.char_timeout = char_timeout
        self.source = source
        self._chars: list[str] = []
        self._length = 0
        self._last = 0.0
        self._oversized = False
        self.discarded_partial = 0
        self.discarded_oversized = 0

    @property
    def pending(self) -> bool:
        return bool(self._length) or self._oversized

    def add(self, text: str, at: float) -> None:
        self.expire(at)
        self._last = at
        if self._oversized:
            return
        if self._length + len(text) > self.max_length:
            # Keep swallowing until the terminator, then drop the whole scan: a truncated code
            # could be mistaken for a valid shorter one.
            self._oversized = True
            self._chars, self._length = [], 0
            return
        self._chars.append(text)
        self._length += len(text)

    def finish(self, at: float) -> str | None:
        """The terminator arrived: the complete scan, or None if there is nothing valid."""
        self.expire(at)
        if self._oversized:
            self.discarded_oversized += 1
            log.warning(
                "%s: discarded a scan longer than %d characters", self.source, self.max_length
            )
            self._reset()
            return None
        text = "".join(self._chars)
        self._reset()
        return text or None

    def expire(self, now: float) -> bool:
        """Drop a partial scan whose next character is overdue; True if one was dropped."""
        if not self.pending or now - self._last <= self.char_timeout:
            return False
        self.discarded_partial += 1
        log.warning(
            "%s: discarded a partial scan of %d characters (no terminator within %.2f s)",
            self.source, self._length, self.char_timeout,
        )
        self._reset()
        return True

    def _reset(self) -> None:
        self._chars, self._length, self._oversized = [], 0, False
