"""Plain words when something did not work: a refusal or an error (the server's own message when
it has one for the citizen), and the page shown while the server cannot be reached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.widget import Widget

from ...actions import Action
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Card, Txt

if TYPE_CHECKING:
    from ...controller import Controller


def message(kit: Kit, c: Controller) -> Widget:
    s = c.flow.session
    body = kit.page(spacing=28)
    body.add_widget(Widget(size_hint_y=0.2))
    body.add_widget(Txt(kit.tr(s.message_title), size=kit.fs("title"), bold=True, halign="center",
                        color=C["error_text"]))
    text = s.message_body[1] if kit.lang == "en" else s.message_body[0]
    if text:
        card = Card(kit)
        card.add_widget(Txt(text, size=kit.fs("tile"), halign="center"))
        body.add_widget(card)
    if s.message_hint:
        body.add_widget(Txt(kit.tr(s.message_hint), size=kit.fs("body"), color=C["muted"], halign="center"))
    body.add_widget(Widget())
    return body


def offline(kit: Kit, c: Controller) -> Widget:
    """What still works (guides saved on the kiosk) and when the kiosk tries again."""
    body = kit.page(spacing=28)
    body.add_widget(Txt(kit.tr("msg.offline_title"), size=kit.fs("title"), bold=True, color=C["error_text"],
                        halign="center"))
    card = Card(kit)
    card.add_widget(Txt(kit.tr("msg.offline_body"), size=kit.fs("tile") * 0.85))
    body.add_widget(card)
    if c.next_retry_at is not None:
        seconds = max(0, int(c.next_retry_at - c.clock() + 0.99))
        body.add_widget(Txt(kit.tr("msg.retry_in", seconds=seconds) if seconds else kit.tr("banner.offline"),
                            size=kit.fs("body"), color=C["muted"], halign="center"))
    if c.items:
        body.add_widget(Btn(kit.option_text(kit.tr("home.guide"), kit.tr("reason.cached")), Action.HOME_GUIDE,
                            ui=kit, bg=C["green"], size_hint_y=None, height=kit.target(200)))
    body.add_widget(Widget())
    return body
