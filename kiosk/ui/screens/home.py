"""Home and where its tiles lead when there is no queue to choose yet: the home tiles (取号, 预约签到,
办事指南, 排队查询, 绿色通道, 服务评价), the hours outside service time, the green channel's explanation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from ...actions import Action
from ...flow import channel_options, home_options, opening_text, sessions_text
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Card, Txt

if TYPE_CHECKING:
    from ...controller import Controller

TILE_COLORS: dict[str, str] = {
    Action.HOME_TAKE: "primary", Action.HOME_CHECKIN: "teal", Action.HOME_GUIDE: "green",
    Action.HOME_FOLLOW: "orange", Action.HOME_GREEN: "green", Action.HOME_EVALUATE: "purple",
}


def home(kit: Kit, c: Controller) -> Widget:
    body = kit.page(kit.tr("home.welcome"), 24)
    hall = c.hall
    if hall is not None:
        hours = kit.tr("home.always_open") if hall.always_open else (
            kit.tr("home.hours_today", sessions=sessions_text(hall, kit.lang)) if hall.today_sessions
            else kit.tr("closed.today_none"))
        body.add_widget(Txt(hours, size=kit.fs("body"), color=C["muted"]))
    options = [o for o in home_options(c.context()) if o.visible]
    grid = GridLayout(cols=3 if kit.landscape else 2, spacing=kit.px(26))
    for option in options:
        color = C[TILE_COLORS.get(option.key, "primary")]
        # Landscape in large text has room for the title and the reason only.
        sub = None if kit.landscape and kit.large else kit.tr(option.key + ".sub")
        reason = kit.tr(option.reason) if option.reason else None
        # A tile's key is its action (kiosk.actions).
        grid.add_widget(Btn(kit.option_text(kit.tr(option.key), sub, reason), option.key, ui=kit, bg=color,
                            enabled=option.enabled))
    body.add_widget(grid)
    return body


def closed(kit: Kit, c: Controller) -> Widget:
    """Outside service hours: today's sessions, the next opening, and what still works."""
    hall = c.hall
    body = kit.page(kit.tr("closed.title"), 28)
    card = Card(kit)
    sessions = sessions_text(hall, kit.lang)
    card.add_widget(Txt(kit.tr("closed.today", sessions=sessions) if sessions else kit.tr("closed.today_none"),
                        size=kit.fs("tile"), bold=True))
    opening = opening_text(hall, kit.lang)
    card.add_widget(Txt(kit.tr("closed.next", when=opening) if opening else kit.tr("closed.no_next"),
                        size=kit.fs("tile"), bold=True, color=C["primary"]))
    body.add_widget(card)
    body.add_widget(Txt(kit.tr("closed.still"), size=kit.fs("body"), color=C["muted"]))
    row = BoxLayout(size_hint_y=None, height=kit.target(200), spacing=kit.px(24))
    row.add_widget(Btn(kit.option_text(kit.tr("home.guide")), Action.HOME_GUIDE, ui=kit, bg=C["green"]))
    follow = next(o for o in home_options(c.context()) if o.key == Action.HOME_FOLLOW)
    if follow.visible:
        row.add_widget(Btn(kit.option_text(kit.tr("home.follow")), Action.HOME_FOLLOW, ui=kit, bg=C["orange"],
                           enabled=follow.enabled))
    body.add_widget(row)
    body.add_widget(Widget())
    return body


def green(kit: Kit, c: Controller) -> Widget:
    """Who the green channel is for, and how to get it in this hall (granted, or by identity)."""
    granted = (c.hall.green_policy if c.hall else "granted") == "granted"
    body = kit.page(kit.tr("green.title"), 26)
    card = Card(kit)
    card.add_widget(Txt(kit.tr("green.who"), size=kit.fs("tile") * 0.85))
    card.add_widget(Txt(kit.tr("green.granted" if granted else "green.identity", age=c.context().green_age()),
                        size=kit.fs("body"), bold=True, color=C["green"] if granted else C["warn_text"]))
    can_identify = not granted and any(o.enabled for o in channel_options(c.context()))
    if not granted and not can_identify:
        card.add_widget(Txt(kit.tr("green.staff"), size=kit.fs("body")))
    body.add_widget(card)
    if can_identify:
        body.add_widget(Btn(f"[b]{kit.tr('green.identify')}[/b]", Action.GREEN_IDENTIFY, ui=kit, bg=C["green"],
                            size=kit.fs("tile"), size_hint_y=None, height=kit.target(200)))
    if granted:
        body.add_widget(Btn(f"[b]{kit.tr('green.choose')}[/b]", Action.GREEN_CHOOSE, ui=kit, bg=C["green"],
                            size=kit.fs("tile"), size_hint_y=None, height=kit.target(200)))
    body.add_widget(Widget())
    return body
