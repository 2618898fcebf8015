"""Real-time status (DLE EOT n) decoded into what matters at a kiosk, and into Health.

Bit meanings from the ESC/POS reference, common to Epson and the Chinese compatibles:
- n=1 printer status:   bit 3 offline.
- n=2 offline cause:    bit 2 cover open, bit 5 printing stopped by paper end, bit 6 error.
- n=4 roll paper sensor: bits 2-3 paper near end, bits 5-6 paper end.
Every answer byte has bits 1 and 4 set and bits 0 and 7 clear; anything else is not a status byte
(line noise, or leftovers of an earlier job), and we say so rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.health import Health
from hardware.printer.texts import HEALTH_MESSAGES

QUERIES = (1, 2, 4)  # the DLE EOT n we ask, in this order

_FIXED_MASK = 0x93
_FIXED_BITS = 0x12


@dataclass(frozen=True)
class PrinterStatus:
    offline: bool = False
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    error: bool = False


def is_status_byte(value: int) -> bool:
    return value & _FIXED_MASK == _FIXED_BITS


def decode(answers: dict[int, int]) -> PrinterStatus:
    """`answers` maps n (1, 2, 4) to the byte the printer sent back."""
    for n, value in answers.items():
        if not is_status_byte(value):
            raise ValueError(f"DLE EOT {n} answer 0x{value:02x} is not a status byte")
    printer, cause, paper = answers.get(1, 0x12), answers.get(2, 0x12), answers.get(4, 0x12)
    return PrinterStatus(
        offline=bool(printer & 0x08),
        cover_open=bool(cause & 0x04),
        paper_out=bool(paper & 0x60) or bool(cause & 0x20),
        paper_near_end=bool(paper & 0x0C),
        error=bool(cause & 0x40),
    )


def encode(status: PrinterStatus) -> dict[int, int]:
    """The bytes a printer in `status` answers; the simulated twin and tests speak with these."""
    return {
        1: _FIXED_BITS | (0x08 if status.offline or status.cover_open or status.paper_out else 0),
        2: _FIXED_BITS
        | (0x04 if status.cover_open else 0)
        | (0x20 if status.paper_out else 0)
        | (0x40 if status.error else 0),
        3: _FIXED_BITS,
        4: _FIXED_BITS | (0x60 if status.paper_out else 0) | (0x0C if status.paper_near_end else 0),
    }


def message(key: str, where: str = "") -> tuple[str, str]:
    zh, en = HEALTH_MESSAGES[key]
    return zh, f"{en} [{where}]" if where else en


def to_health(status: PrinterStatus, where: str = "") -> Health:
    """Most urgent first: a citizen needs one sentence, the technician the one thing to fix."""
    for flag, key in (
        (status.cover_open, "cover_open"),
        (status.paper_out, "paper_out"),
        (status.error, "error"),
        (status.offline, "offline"),
    ):
        if flag:
            return Health.error(*message(key, where))
    if status.paper_near_end:
        return Health.warning(*message("paper_near_end", where))
    return Health.ok(*message("ok", where))
