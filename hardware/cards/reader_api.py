"""The interfaces the kiosk programs against: each real reader and its simulated twin provide
the same one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from hardware.cards.events import CardEvent
from hardware.cards.idcard_errors import IdCardError
from hardware.cards.idcard_text import IdCardIdentity
from hardware.cards.sscard import SocialSecurityCard
from hardware.health import Health


class SocialSecurityCardReader(Protocol):
    def health(self) -> Health:
        """How the reader is now (no reader → ERROR with a Chinese and an English message)."""
        ...

    def readers(self) -> list[str]:
        """Names of the usable readers (for technicians)."""
        ...

    def read_card(self, reader: str | None = None) -> SocialSecurityCard:
        """Read the card now in the reader; raises a CardError subclass (its `.health` says
        what to show) when there is no reader, no card, another card, or the card was pulled."""
        ...

    def start(
        self,
        on_event: Callable[[CardEvent], None],
        on_health: Callable[[Health], None] | None = None,
    ) -> None:
        """Watch for cards in a background thread; callbacks run in that thread."""
        ...

    def stop(self) -> None:
        ...


class IdentityCardReader(Protocol):
    """The identity card reader (SerialIdCardReader) and its twin (SimIdCardReader)."""

    def health(self) -> Health:
        ...

    def poll_once(self) -> IdCardIdentity | None:
        """One find/select/read; None when no (new) card lies on the reader."""
        ...

    def start(
        self,
        on_card: Callable[[IdCardIdentity], None],
        on_health: Callable[[Health], None] | None = None,
        on_error: Callable[[IdCardError], None] | None = None,
    ) -> None:
        """Poll in a background thread (never faster than every 300 ms)."""
        ...

    def stop(self) -> None:
        ...

    def close(self) -> None:
        ...
