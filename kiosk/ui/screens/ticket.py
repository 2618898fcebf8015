"""The issued ticket: its number as large as the screen allows, who is ahead, the wait, the windows
to watch, a reservation's slot, the QR code of the phone page, and how printing went (重新打印)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ...actions import Action
from ...flow import local_hm, queue_name, reservation_note, windows_text
from ...strings import wait_text
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Card, QrImage, Txt

if TYPE_CHECKING:
    from ...controller import Controller

TITLES = {"issued": "ticket.title", "checkin": "ticket.title_checkin", "again": "ticket.title_again",
          "reprint": "ticket.title_reprint"}
# print state → (what the strip says, its colours)
PRINT_STATES = {
    "printing": ("ticket.printing", ("ok", "ok_text")),
    "printed": ("ticket.printed", ("ok", "ok_text")),
    "failed": ("ticket.print_failed", ("error", "error_text")),
    "no_printer": ("ticket.no_printer", ("warn", "warn_text")),
}


def ticket(kit: Kit, c: Controller) -> Widget:
    s = c.flow.session
    shown = s.ticket
    title = kit.tr(TITLES[s.ticket_kind])
    if shown is None:
        return kit.page(title, 14)
    queue = c.queue(shown.queue)
    number = kit.column(6)
    number.add_widget(Txt(kit.tr("ticket.number"), size=kit.fs("body"), color=C["muted"], halign="center"))
    number.add_widget(Txt(f"[b]{shown.number}[/b]", size=kit.fs("huge"), color=C["primary"], halign="center"))
    line = queue_name(queue, kit.lang) or shown.queue_name
    if shown.item_name:
        line += f" · {shown.item_name}"
    number.add_widget(Txt(line, size=kit.fs("body"), halign="center"))
    info = kit.column(10)
    if shown.green:
        info.add_widget(Txt(kit.tr("ticket.green"), size=kit.fs("tile"), bold=True, color=C["green"], halign="center"))
    info.add_widget(Txt(kit.tr("ticket.ahead", waiting=shown.waiting_ahead), size=kit.fs("tile"),
                        bold=True, halign="center"))
    info.add_widget(Txt(kit.tr("ticket.wait", wait=wait_text(shown.estimated_wait_s, kit.lang)),
                        size=kit.fs("body"), halign="center"))
    info.add_widget(Txt(windows_text(queue, c.windows, kit.lang), size=kit.fs("body"), halign="center",
                        color=C["muted"]))
    note = reservation_note(shown, dt.datetime.now(dt.UTC))
    if note:
        start, end = local_hm(shown.slot_start, c.hall), local_hm(shown.slot_end, c.hall)
        info.add_widget(Txt(kit.tr("ticket.reservation_slot", start=start, end=end), size=kit.fs("body"),
                            halign="center"))
        info.add_widget(Txt(kit.tr(note[0], start=start), size=kit.fs("body"), bold=True,
                            color=C["warn_text"] if note[0] != "ticket.reservation_now" else C["ok_text"],
                            halign="center"))
    qr = kit.column(8)
    url = c.api.absolute(shown.page_url)
    if url:
        qr_side = kit.px((330 if not kit.large else 360) * (0.8 if kit.landscape else 1))
        qr.add_widget(kit.centred(QrImage(url, qr_side), qr_side))
        qr.add_widget(Txt(kit.tr("ticket.qr"), size=kit.fs("body"), halign="center"))
    side = kit.column(14)
    side_strip = _print_state(kit, c)
    if side_strip is not None:
        side.add_widget(side_strip)
    buttons = BoxLayout(size_hint_y=None, height=kit.target(130), spacing=kit.px(24))
    if s.print_state in ("failed", "none", "printed") and c.devices.printer is not None:
        buttons.add_widget(Btn(kit.tr("ticket.reprint"), Action.TICKET_REPRINT, ui=kit, bg=C["card"],
                               fg=C["neutral_text"]))
    buttons.add_widget(Btn(f"[b]{kit.tr('ticket.done')}[/b]", Action.TICKET_DONE, ui=kit, bg=C["green"],
                           size=kit.fs("tile")))
    side.add_widget(buttons)
    if kit.landscape:
        body = kit.page(spacing=40, orientation="horizontal")
        left = kit.page(title, 10)
        left.add_widget(number)
        left.add_widget(info)
        left.add_widget(Widget())
        body.add_widget(left)
        right = BoxLayout(orientation="vertical", size_hint_x=0.5)
        right.add_widget(qr)
        right.add_widget(side)
        right.add_widget(Widget())
        body.add_widget(right)
        return body
    # Portrait: the number on top, then the waiting figures beside the QR code.
    body = kit.page(title, 14)
    body.add_widget(number)
    middle = BoxLayout(size_hint_y=None, spacing=kit.px(24))
    middle.add_widget(info)
    qr.size_hint_x = 0.8
    middle.add_widget(qr)
    info.bind(height=lambda *_: setattr(middle, "height", max(info.height, qr.height)))
    qr.bind(height=lambda *_: setattr(middle, "height", max(info.height, qr.height)))
    body.add_widget(middle)
    body.add_widget(side)
    body.add_widget(Widget())
    return body


def _print_state(kit: Kit, c: Controller) -> Widget | None:
    """Printing, printed, failed (with the printer's reason) or no printer; nothing otherwise."""
    s = c.flow.session
    state = PRINT_STATES.get(s.print_state)
    if state is None:
        return None
    key, (bg, fg) = state
    reason = s.print_reason[1] if kit.lang == "en" else s.print_reason[0]
    strip = Card(kit, bg=C[bg], padding=kit.px(18))
    strip.add_widget(Txt(kit.tr(key, reason=reason), size=kit.fs("body"), bold=True, color=C[fg], halign="center"))
    return strip
