"""What the card monitor reports to the kiosk."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CardEventKind(str, enum.Enum):
    INSERTED = "inserted"
    REMOVED = "removed"
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    reader: str
    atr: bytes = b""
