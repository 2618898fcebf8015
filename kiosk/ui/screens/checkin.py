"""Reservations (预约签到): the ways to check in, and the QR scan screen that check-in, following a
ticket by its slip, 鲁通码 and 好差评 share (好差评's offers the number keypad too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from ...actions import Action
from ...flow import checkin_options
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Txt, reader_box

if TYPE_CHECKING:
    from ...controller import Controller

# scan purpose → (title, prompt)
SCAN_TEXTS = {
    "checkin": ("checkin.by_scan", "checkin.scan_prompt"),
    "follow": ("follow.title", "follow.prompt"),
    "lutong": ("id.lutong", "id.lutong.prompt"),
    "evaluate": ("eval.title", "eval.scan_prompt"),
}


def checkin(kit: Kit, c: Controller) -> Widget:
    body = kit.page(kit.tr("checkin.choose"), 24)
    grid = GridLayout(cols=1 if not kit.landscape else 3, spacing=kit.px(24))
    for o in checkin_options(c.context()):  # an option's key is its action: checkin.by_code, …
        if not o.visible:
            continue
        grid.add_widget(Btn(kit.option_text(kit.tr(o.key), kit.tr(o.key + ".sub"),
                                            kit.tr(o.reason) if o.reason else None),
                            o.key, ui=kit, bg=C["teal"], enabled=o.enabled))
    body.add_widget(grid)
    return body


def scan(kit: Kit, c: Controller) -> Widget:
    title, prompt = SCAN_TEXTS.get(c.flow.session.scan_purpose, SCAN_TEXTS["follow"])
    body = kit.page(kit.tr(title), 30)
    body.add_widget(Txt(kit.tr(prompt), size=kit.fs("title"), halign="center"))
    box, kit.live.advice = reader_box(kit, kit.tr("id.waiting"))
    if c.flow.session.scan_purpose != "evaluate":
        body.add_widget(box)
        body.add_widget(Widget())
        return body
    # 好差评: a slip whose QR code is torn or faded is named by its number.
    typed = Btn(f"[b]{kit.tr('eval.by_number')}[/b]", Action.EVAL_BY_NUMBER, ui=kit, bg=C["purple"],
                size=kit.fs("tile"), size_hint_y=None, height=kit.target(170))
    if kit.landscape:  # beside the box: landscape has not the height for both
        row = BoxLayout(size_hint_y=None, height=box.height, spacing=kit.px(36))
        row.add_widget(box)
        side = BoxLayout(orientation="vertical", size_hint_x=0.6)
        side.add_widget(Widget())
        side.add_widget(typed)
        side.add_widget(Widget())
        row.add_widget(side)
        body.add_widget(row)
    else:
        body.add_widget(box)
        body.add_widget(typed)
    body.add_widget(Widget())
    return body
