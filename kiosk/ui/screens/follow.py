"""Following a ticket by the QR code of its slip: its number, status, people ahead and the wait,
and the window once it is called."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.widget import Widget

from hall_common.vocabulary import TicketStatus

from ...actions import Action
from ...strings import wait_text
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Card, Txt

if TYPE_CHECKING:
    from ...controller import Controller

AT_WINDOW = (TicketStatus.CALLED, TicketStatus.SERVING)


def follow(kit: Kit, c: Controller) -> Widget:
    followed = c.flow.session.follow
    body = kit.page(kit.tr("follow.title"), 20)
    card = Card(kit, orientation="horizontal" if kit.landscape else "vertical")
    card.add_widget(Txt(f"[b]{followed.number if followed else ''}[/b]", size=kit.fs("huge"), color=C["primary"],
                        halign="center"))
    details = kit.column(12)
    status = str(followed.status) if followed else ""
    details.add_widget(Txt(kit.tr("follow.status", status=kit.tr(f"follow.status.{status}")),
                           size=kit.fs("tile"), bold=True, halign="center"))
    if followed and status == TicketStatus.WAITING:
        details.add_widget(Txt(kit.tr("ticket.ahead", waiting=followed.waiting_ahead),
                               size=kit.fs("tile"), bold=True, halign="center"))
        details.add_widget(Txt(kit.tr("ticket.wait", wait=wait_text(followed.estimated_wait_s, kit.lang)),
                               size=kit.fs("body"), halign="center"))
    window = (followed.window_name or followed.window) if followed else ""
    if window and status in AT_WINDOW:
        details.add_widget(Txt(kit.tr("follow.called", window=window), size=kit.fs("big"), bold=True,
                               color=C["green"], halign="center"))
    card.add_widget(details)
    body.add_widget(card)
    body.add_widget(Btn(kit.tr("follow.again"), Action.SCAN_RETRY, ui=kit, bg=C["orange"], size_hint_y=None,
                        height=kit.target(120)))
    body.add_widget(Widget())
    return body
