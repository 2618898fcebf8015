"""The simulated social security card reader: the same interface as PcscCardReader, driven by
method calls, for demos and kiosk tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from hardware.cards.errors import CardError, CardRemovedError, NoCardError, NoReaderError
from hardware.cards.events import CardEvent, CardEventKind
from hardware.cards.sscard import SocialSecurityCard
from hardware.health import Health

SIM_READER = "Simulated SSC Reader 00 00"


def sample_card(generation: int = 2) -> SocialSecurityCard:
    """A made-up Jinan card; a 3rd generation one withholds what a PSAM-less kiosk cannot see."""
    common = dict(
        atr=bytes.fromhex("3B6C00000081311FE75A434C0000000000"),
        card_id_code="370100D15600000500A1B2C3D4E5F6A7",
        card_type="3",
        initialising_org="370100000001",
        issue_date=date(2021, 6, 1),
        expiry_date=date(2031, 6, 1),
        sex="男",
        nation="汉",
        birthplace="370102",
        birth_date=date(1990, 1, 1),
    )
    if generation >= 3:
        return SocialSecurityCard(
            spec_version="3.00",
            withheld_fields=("card_number", "social_security_number", "name"),
            **common,  # type: ignore[arg-type]
        )
    return SocialSecurityCard(
        spec_version="2.00",
        card_number="A12345678",
        social_security_number="370102199001011231",
        name="张三",
        **common,  # type: ignore[arg-type]
    )


class SimCardReader:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._card: SocialSecurityCard | None = None
        self._plugged = True
        self._pending_failure: CardError | None = None
        self._on_event: Callable[[CardEvent], None] | None = None
        self._on_health: Callable[[Health], None] | None = None

    # --- the reader interface -------------------------------------------------------------

    def health(self) -> Health:
        if not self._plugged:
            return NoReaderError("simulated reader unplugged").health
        return Health.ok()

    def readers(self) -> list[str]:
        return [SIM_READER] if self._plugged else []

    def read_card(self, reader: str | None = None) -> SocialSecurityCard:
        with self._lock:
            if not self._plugged:
                raise NoReaderError("simulated reader unplugged")
            failure, self._pending_failure = self._pending_failure, None
            if failure is not None:
                self._card = None
                raise failure
            if self._card is None:
                raise NoCardError(f"no card in reader {SIM_READER}")
            return self._card

    def start(
        self,
        on_event: Callable[[CardEvent], None],
        on_health: Callable[[Health], None] | None = None,
    ) -> None:
        self._on_event, self._on_health = on_event, on_health
        self._emit(CardEvent(CardEventKind.READER_ADDED, SIM_READER))
        if self._card is not None:
            self._emit(CardEvent(CardEventKind.INSERTED, SIM_READER, self._card.atr))

    def stop(self) -> None:
        self._on_event = self._on_health = None

    # --- what a demo or a test does to it ---------------------------------------------------

    def present_card(self, card: SocialSecurityCard | None = None) -> None:
        self._card = card or sample_card()
        self._emit(CardEvent(CardEventKind.INSERTED, SIM_READER, self._card.atr))

    def remove_card(self) -> None:
        if self._card is not None:
            self._card = None
            self._emit(CardEvent(CardEventKind.REMOVED, SIM_READER))

    def fail_next_read(self, error: CardError | None = None) -> None:
        """The next read fails as if the citizen pulled the card out halfway."""
        self._pending_failure = error or CardRemovedError("simulated card pulled out mid-read")

    def unplug(self) -> None:
        self.remove_card()
        self._plugged = False
        self._emit(CardEvent(CardEventKind.READER_REMOVED, SIM_READER))
        self._health_changed()

    def replug(self) -> None:
        self._plugged = True
        self._emit(CardEvent(CardEventKind.READER_ADDED, SIM_READER))
        self._health_changed()

    def _emit(self, event: CardEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    def _health_changed(self) -> None:
        if self._on_health is not None:
            self._on_health(self.health())
