"""The printed ticket (号票): the slip as the kiosk fills it from the server's ticket and the hall,
and printing it on a worker thread with the printer's own words when it fails."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from .flow import queue_name, windows_text
from .replies import HallInfo, QueueInfo, Ticket
from .strings import pick, t

log = logging.getLogger("kiosk")


@dataclass(frozen=True)
class PrintOutcome:
    printed: bool
    reason: tuple[str, str] = ("", "")  # (Chinese, English) when it failed


def build_slip(ticket: Ticket, *, hall: HallInfo | None, queue: QueueInfo | None, windows: dict[str, str],
               server_url: str, hall_id: str, lang: str) -> Any:
    """A hardware.printer.TicketSlip: the hall's and the queue's names in the citizen's language,
    the windows to watch, and the phone page's QR code (the track URL on an older server)."""
    from hardware.printer import TicketSlip

    hall = hall or HallInfo()
    footer = (t("saver.supervision", lang, phone=hall.supervision_phone),) if hall.supervision_phone else ()
    page = ticket.page_url
    return TicketSlip(
        hall_name=pick(hall.name, hall.name_en, lang) or ticket.hall_name or hall_id,
        number=ticket.number,
        queue_name=queue_name(queue, lang) or ticket.queue_name or ticket.queue or "—",
        item_name=ticket.item_name or None,
        waiting_ahead=ticket.waiting_ahead,
        estimated_wait_s=ticket.estimated_wait_s,
        issued_at=ticket.issued_at,
        windows_text=windows_text(queue, windows, lang),
        track_url=urljoin(server_url + "/", page) if page else None,
        masked_holder=ticket.holder or None,
        footer_lines=footer,
        channel=str(ticket.channel),
        priority_green=ticket.green,
        language="en" if lang == "en" else "zh",
    )


def print_slip(printer: Any, make_slip: Callable[[], Any]) -> PrintOutcome:
    """On a worker thread. A slip that cannot be made fails like the printer; a PrinterError
    carries .health with the printer's Chinese reason."""
    try:
        printer.print_ticket(make_slip())
        return PrintOutcome(True)
    except Exception as exc:
        health = getattr(exc, "health", None)
        zh = getattr(health, "message_zh", "") or t("device.printer_failed", "zh")
        en = getattr(health, "message_en", "") or str(exc) or t("device.printer_failed", "en")
        log.warning("printing failed: %s", en)
        return PrintOutcome(False, (zh, en))
