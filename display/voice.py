"""Optional spoken calls (a hall may want them; silent calling is the default). espeak-ng runs in
a background thread, one utterance at a time: the screen never waits for it, and when calls come
faster than they can be spoken the oldest unspoken ones are dropped."""

from __future__ import annotations

import logging
import queue
import subprocess
import threading

from .board import Call
from .settings import VoiceSettings

log = logging.getLogger("display.voice")

BACKLOG = 3  # unspoken calls kept; older ones are stale by the time they would be heard
TIMEOUT_S = 20.0  # a hung speech process is killed


class Announcer:
    def __init__(self, settings: VoiceSettings):
        self.settings = settings
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.spoken = 0  # utterances finished (tests, diagnostics)
        self.failed = 0
        self.dropped = 0

    def text_for(self, call: Call) -> str:
        return self.settings.template.format(
            number=call.number, window_name=call.window_name, window=call.window
        )

    def announce(self, call: Call) -> None:
        """Queue the call for speaking and return at once."""
        if not self.settings.enabled:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="voice", daemon=True)
            self._thread.start()
        while self._queue.qsize() >= BACKLOG:
            try:
                self._queue.get_nowait()
                self.dropped += 1
            except queue.Empty:
                break
        self._queue.put(self.text_for(call))

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)

    def _work(self) -> None:
        while True:
            text = self._queue.get()
            if text is None:
                return
            for _ in range(self.settings.repeat):
                self._speak(text)

    def _speak(self, text: str) -> None:
        try:
            subprocess.run(
                [*self.settings.command, text],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=TIMEOUT_S,
                check=True,
            )
            self.spoken += 1
        except (OSError, subprocess.SubprocessError) as exc:
            self.failed += 1
            log.warning("voice command failed: %s", exc)
