"""What goes on a printed ticket (号票): plain data the kiosk fills from the queue server's ticket
JSON (CONTRACT.md §4) plus hall configuration. Validated on construction, so a bad slip is a clear
ValueError before anything is sent to a printer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

Language = Literal["zh", "en"]
_CHANNEL = re.compile(r"^[a-z0-9_]{1,32}$")

_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,12}$")
MAX_TEXT = 200  # longer than any hall, queue or item name; stops a runaway string eating a roll


@dataclass(frozen=True)
class TicketSlip:
    hall_name: str
    number: str  # "A012"
    queue_name: str
    item_name: str | None
    waiting_ahead: int
    estimated_wait_s: int | None
    issued_at: datetime  # timezone-aware
    windows_text: str  # "请留意 1-5号窗口"
    track_url: str | None = None  # absolute http(s) URL of the phone page
    masked_holder: str | None = None  # already masked: "张*"
    footer_lines: tuple[str, ...] = field(default_factory=tuple)
    channel: str = "walkin"  # a contract channel (hall_common.vocabulary.Channel) prints its label; another (a newer server) prints none
    priority_green: bool = False
    language: Language = "zh"

    def __post_init__(self) -> None:
        if not isinstance(self.number, str) or not _NUMBER.match(self.number):
            raise ValueError(f"ticket number must be 1-12 letters/digits, got {self.number!r}")
        for name in ("hall_name", "queue_name", "windows_text"):
            _check_text(name, getattr(self, name), required=True)
        _check_text("item_name", self.item_name, required=False)
        _check_text("masked_holder", self.masked_holder, required=False)
        if isinstance(self.waiting_ahead, bool) or not isinstance(self.waiting_ahead, int):
            raise ValueError(f"waiting_ahead must be an int, got {self.waiting_ahead!r}")
        if self.waiting_ahead < 0:
            raise ValueError(f"waiting_ahead must be >= 0, got {self.waiting_ahead}")
        wait = self.estimated_wait_s
        if wait is not None and (isinstance(wait, bool) or not isinstance(wait, int) or wait < 0):
            raise ValueError(f"estimated_wait_s must be a whole number >= 0 or None, got {wait!r}")
        if not isinstance(self.issued_at, datetime) or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be a timezone-aware datetime")
        if self.track_url is not None:
            parts = urlsplit(self.track_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"track_url must be an absolute http(s) URL, got {self.track_url!r}")
            if len(self.track_url) > 1000:
                raise ValueError("track_url is longer than 1000 characters")
        if isinstance(self.footer_lines, (str, bytes)):
            raise ValueError("footer_lines must be a sequence of strings, not one string")
        object.__setattr__(self, "footer_lines", tuple(self.footer_lines))
        for line in self.footer_lines:
            _check_text("footer line", line, required=False)
        # Not limited to the contract's channels: a server that learns a new channel must not stop tickets printing.
        if not isinstance(self.channel, str) or not _CHANNEL.match(self.channel):
            raise ValueError(f"channel must be a short lower-case name like 'walkin', got {self.channel!r}")
        if self.language not in ("zh", "en"):
            raise ValueError(f"language must be 'zh' or 'en', got {self.language!r}")

    @classmethod
    def from_ticket_json(
        cls,
        ticket: Mapping[str, Any],
        *,
        hall_name: str,
        queue_name: str,
        windows_text: str,
        server_base_url: str,
        item_name: str | None = None,
        masked_holder: str | None = None,
        footer_lines: tuple[str, ...] = (),
        language: Language = "zh",
        priority_green: bool = False,
    ) -> TicketSlip:
        """Build a slip from the 201 body of `POST /tickets` (or a check-in). `track_url` may be
        relative there; a phone needs it absolute, so it is resolved against the server's URL."""
        try:
            issued_at = datetime.fromisoformat(str(ticket["issued_at"]))
            track = ticket.get("track_url")
            return cls(
                hall_name=hall_name,
                number=ticket["number"],
                queue_name=queue_name,
                item_name=item_name,
                waiting_ahead=ticket["waiting_ahead"],
                estimated_wait_s=ticket.get("estimated_wait_s"),
                issued_at=issued_at,
                windows_text=windows_text,
                track_url=urljoin(server_base_url, track) if track else None,
                masked_holder=masked_holder,
                footer_lines=footer_lines,
                channel=ticket.get("channel", "walkin"),
                priority_green=priority_green or ticket.get("priority") == "green",
                language=language,
            )
        except KeyError as exc:
            raise ValueError(f"ticket JSON lacks {exc.args[0]!r}") from None


def _check_text(name: str, value: object, *, required: bool) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise ValueError(f"{name} must not be empty")
    if len(value) > MAX_TEXT:
        raise ValueError(f"{name} is longer than {MAX_TEXT} characters")
