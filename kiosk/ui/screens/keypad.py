"""The on-screen keypad for codes and numbers (reservation code, identity number, phone, SMS code,
item code, a ticket's number for 好差评): its layout follows the purpose, typed identity numbers and phones show masked, and
typing updates the display in place (`update_keypad`), not the whole screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from ...actions import Action
from ...evaluation import ticket_letters
from ...flow import KEYPAD_PROMPTS, Flow, Screen, mask_typed
from ...strings import pick
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, Card, Txt

if TYPE_CHECKING:
    from ...controller import Controller

# Purposes whose keypad takes personal data: the screen says what is done with it.
PERSONAL = ("nocard_id", "nocard_phone", "checkin_id", "face_id", "sms_phone")


def update_keypad(kit: Kit, flow: Flow) -> None:
    display, error_label = kit.live.keypad_display, kit.live.keypad_error
    if display is None or error_label is None or flow.screen is not Screen.KEYPAD:
        return
    s = flow.session
    display.text = mask_typed(s.keypad_text, flow.keypad_layout()) or kit.tr("keypad.empty")
    display.bold = bool(s.keypad_text)
    display.color = C["text"] if s.keypad_text else C["muted"]
    error = pick(*s.keypad_error_text, kit.lang) if s.keypad_error_text[0] else ""
    error_label.text = error or (kit.tr(s.keypad_error) if s.keypad_error else "")


def keypad(kit: Kit, c: Controller) -> Widget:
    f = c.flow
    s = f.session
    layout = f.keypad_layout()
    head = kit.page(kit.tr(KEYPAD_PROMPTS.get(s.keypad_purpose, "keypad.empty")), 18)
    display = Card(kit, bg=C["card"])
    kit.live.keypad_display = Txt("", size=kit.fs("big"), halign="center")
    display.add_widget(kit.live.keypad_display)
    head.add_widget(display)
    kit.live.keypad_error = Txt("", size=kit.fs("body"), color=C["error_text"], bold=True)
    kit.live.keypad_error.height = 0  # no room kept for an error until there is one
    head.add_widget(kit.live.keypad_error)
    update_keypad(kit, f)
    if s.keypad_note[0]:
        head.add_widget(Txt(pick(*s.keypad_note, kit.lang), size=kit.fs("body"), color=C["ok_text"], bold=True))
    if s.keypad_purpose in PERSONAL:
        head.add_widget(Txt(kit.tr("id.data_note"), size=kit.fs("small"), color=C["muted"]))
    if s.keypad_purpose == "sms_code":
        head.add_widget(Btn(kit.tr("id.sms.resend"), Action.SMS_RESEND, ui=kit, bg=C["card"], fg=C["neutral_text"],
                            size_hint_y=None, height=kit.target(100)))
    keys_box = _ticket_keys(kit, ticket_letters(q.id for q in c.queues)) if layout == "ticket" else _keys(kit, layout)
    confirm = BoxLayout(size_hint_y=None, height=kit.target(140), spacing=kit.px(20))
    confirm.add_widget(Btn(kit.tr("keypad.clear"), Action.KEY, "CLEAR", ui=kit, bg=C["neutral"],
                           fg=C["neutral_text"]))
    confirm.add_widget(Btn(f"[b]{kit.tr('keypad.ok')}[/b]", Action.KEYPAD_OK, ui=kit, bg=C["green"],
                           size=kit.fs("tile")))
    if kit.landscape:
        head.add_widget(Widget())
        head.add_widget(confirm)
        body = kit.page(spacing=40, orientation="horizontal")
        head.size_hint_x = 0.42 if layout == "alnum" else 0.5
        body.add_widget(head)
        right = BoxLayout(orientation="vertical", size_hint_x=1 - head.size_hint_x)
        right.add_widget(keys_box)
        right.add_widget(Widget())
        body.add_widget(right)
        return body
    head.add_widget(keys_box)
    head.add_widget(confirm)
    head.add_widget(Widget())
    return head


def _ticket_keys(kit: Kit, letters: list[str]) -> Widget:
    """A ticket's number (A012): the letters the hall's numbers start with, and the digits; in
    portrait a row of letters above the digits, in landscape a block of letters beside them."""
    digits = _keys(kit, "digits")
    spacing = kit.px(12)
    if kit.landscape:
        rows = 4  # as many as the digits have
        cols = -(-len(letters) // rows)
        key_h = kit.target(130)
    else:
        cols = min(len(letters), 6 if len(letters) <= 6 else 8)
        rows = -(-len(letters) // cols)
        key_h = kit.target(120 if rows == 1 else 100)
    grid = GridLayout(cols=max(1, cols), spacing=spacing, size_hint_y=None)
    for letter in letters:
        grid.add_widget(Btn(f"[b]{letter}[/b]", Action.KEY, letter, ui=kit, bg=C["neutral"], fg=C["neutral_text"],
                            size=kit.fs("big") * 0.7, size_hint_y=None, height=key_h))
    used = -(-len(letters) // max(1, cols))
    grid.height = used * key_h + (used - 1) * spacing
    if kit.landscape:
        holder = BoxLayout(orientation="horizontal", size_hint_y=None, height=digits.height, spacing=kit.px(24))
        column = BoxLayout(orientation="vertical", size_hint_x=cols / (cols + 3))
        column.add_widget(grid)
        column.add_widget(Widget())
        holder.add_widget(column)
        holder.add_widget(digits)
        return holder
    holder = BoxLayout(orientation="vertical", size_hint_y=None, spacing=kit.px(20))
    letters_box = BoxLayout(size_hint_y=None, height=grid.height)
    if len(letters) <= 6:  # a short row of letters: as wide as the digits
        grid.size_hint_x = None
        grid.width = min(kit.px(900), kit.window_width * 0.8)
        letters_box.add_widget(Widget())
        letters_box.add_widget(grid)
        letters_box.add_widget(Widget())
    else:
        letters_box.add_widget(grid)
    holder.add_widget(letters_box)
    holder.add_widget(digits)
    holder.height = letters_box.height + holder.spacing + digits.height
    return holder


def _keys(kit: Kit, layout: str) -> Widget:
    """Letters and digits, or a phone-style block of digits (with X for an identity number)."""
    if layout == "alnum":
        keys = list("1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        cols = 8 if kit.landscape else 7
    else:
        keys = list("123456789") + (["X"] if layout == "id" else [""]) + ["0"]
        cols = 3
    spacing = kit.px(12)
    grid = GridLayout(cols=cols, spacing=spacing, size_hint_y=None)
    key_h = kit.target(105 if layout == "alnum" else 130)
    for key in keys:
        if not key:
            grid.add_widget(Widget())
            continue
        grid.add_widget(Btn(f"[b]{key}[/b]", Action.KEY, key, ui=kit, bg=C["card"], fg=C["text"],
                            size=kit.fs("big") * 0.7, size_hint_y=None, height=key_h))
    delete = Btn(kit.tr("keypad.del"), Action.KEY, "DEL", ui=kit, bg=C["neutral"], fg=C["neutral_text"],
                 size_hint_y=None, height=key_h)
    delete.padding = (kit.px(4), kit.px(4))  # a narrow key: the word needs the whole width
    grid.add_widget(delete)
    rows = -(-len(grid.children) // cols)
    grid.height = rows * key_h + (rows - 1) * spacing
    keys_box = BoxLayout(size_hint_y=None, height=grid.height)
    if layout != "alnum" and not kit.landscape:
        grid.size_hint_x = None
        grid.width = min(kit.px(900), kit.window_width * 0.8)
        keys_box.add_widget(Widget())
        keys_box.add_widget(grid)
        keys_box.add_widget(Widget())
    else:
        keys_box.add_widget(grid)
    return keys_box
