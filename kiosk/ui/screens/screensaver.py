"""The notice loop after `screensaver_s` on home: the hall's name, its services or its notice (the
two take turns), today's hours, the supervision phone, and one big button; a touch anywhere wakes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.widget import Widget

from ...actions import Action
from ...flow import sessions_text
from ...strings import pick
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Filled, Txt

if TYPE_CHECKING:
    from ...controller import Controller


def screensaver(kit: Kit, c: Controller, page: int) -> Widget:
    hall = c.hall
    saver = Filled(C["header"], orientation="vertical", padding=kit.px(80), spacing=kit.px(40))
    saver.add_widget(Widget())
    saver.add_widget(Txt((pick(hall.name, hall.name_en, kit.lang) if hall else "") or kit.tr("app.title"),
                         size=kit.fs("big"), bold=True, color=C["header_text"], halign="center"))
    notice = hall.notice if hall else ""
    saver.add_widget(Txt(notice if page % 2 and notice else kit.tr("saver.services"), size=kit.fs("title"),
                         color=C["header_text"], halign="center"))
    if hall and hall.today_sessions:
        saver.add_widget(Txt(kit.tr("home.hours_today", sessions=sessions_text(hall, kit.lang)),
                             size=kit.fs("tile"), color=C["header_text"], halign="center"))
    saver.add_widget(Widget())
    saver.add_widget(Btn(f"[b]{kit.tr('saver.touch')}[/b]", Action.SCREENSAVER_WAKE, ui=kit, bg=C["selected"],
                         fg=C["text"], size=kit.fs("big") * 0.8, size_hint_y=None, height=kit.target(220)))
    if hall and hall.supervision_phone:
        saver.add_widget(Txt(kit.tr("saver.supervision", phone=hall.supervision_phone), size=kit.fs("body"),
                             color=C["header_text"], halign="center"))
    return saver
