"""The simulated identity card reader: the interface of SerialIdCardReader, driven by method
calls, for demos and kiosk tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hardware.cards.idcard_errors import IdCardError, IdCardPortError
from hardware.cards.idcard_text import IdCardIdentity
from hardware.health import Health


def sample_identity() -> IdCardIdentity:
    """A made-up citizen of Jinan (the identity number's check digit is right)."""
    return IdCardIdentity(
        name="李明",
        sex="男",
        nation="汉",
        birth_date=date(1985, 3, 12),
        address="山东省济南市历下区泉城路1号",
        id_number="370102198503120011",
        authority="济南市公安局历下分局",
        valid_from=date(2015, 3, 1),
        valid_to=date(2035, 3, 1),
        photo=bytes(1024),
    )


class SimIdCardReader:
    def __init__(self) -> None:
        self._card: IdCardIdentity | None = None
        self._delivered = False
        self._plugged = True
        self._failure: IdCardError | None = None
        self._on_card: Callable[[IdCardIdentity], None] | None = None
        self._on_health: Callable[[Health], None] | None = None
        self._on_error: Callable[[IdCardError], None] | None = None

    def health(self) -> Health:
        if not self._plugged:
            return IdCardPortError("simulated identity card reader unplugged").health
        return Health.ok()

    def poll_once(self) -> IdCardIdentity | None:
        if not self._plugged:
            raise IdCardPortError("simulated identity card reader unplugged")
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure
        if self._card is None or self._delivered:
            return None  # like the real one: a resting card is read once
        self._delivered = True
        return self._card

    def start(
        self,
        on_card: Callable[[IdCardIdentity], None],
        on_health: Callable[[Health], None] | None = None,
        on_error: Callable[[IdCardError], None] | None = None,
    ) -> None:
        self._on_card, self._on_health, self._on_error = on_card, on_health, on_error
        self._deliver()

    def stop(self) -> None:
        self._on_card = self._on_health = self._on_error = None

    def close(self) -> None:
        self.stop()

    # --- what a demo or a test does to it ---------------------------------------------------

    def present_card(self, identity: IdCardIdentity | None = None) -> None:
        self._card, self._delivered = identity or sample_identity(), False
        self._deliver()

    def remove_card(self) -> None:
        self._card, self._delivered = None, False

    def fail_next_read(self, error: IdCardError) -> None:
        self._failure = error
        self._deliver()

    def unplug(self) -> None:
        self._plugged = False
        if self._on_health is not None:
            self._on_health(self.health())

    def replug(self) -> None:
        self._plugged = True
        if self._on_health is not None:
            self._on_health(self.health())
        self._deliver()

    def _deliver(self) -> None:
        # Started: behave like the polling thread, delivering at once and synchronously.
        if self._on_card is None:
            return
        try:
            identity = self.poll_once()
        except IdCardError as exc:
            if self._on_error is not None:
                self._on_error(exc)
            return
        if identity is not None:
            self._on_card(identity)
