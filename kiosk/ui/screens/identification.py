"""Identification (鲁通码, 社保卡, 身份证, 刷脸, 无卡): the ways as buttons, the choice of a way (for a
check-in or the green channel), no card (SMS code or typed number), the face consent, the wait for
a card or a face, and who the server says the person is, with their reservations today."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from ...actions import Action
from ...flow import channel_options, local_hm, nocard_options, queue_name
from ...strings import pick
from ..kit import Kit
from ..theme import C
from ..widgets import Btn, CameraPreview, Card, Txt, reader_box

if TYPE_CHECKING:
    from ...controller import Controller


def ways_grid(kit: Kit, c: Controller) -> Widget | None:
    """The identification ways as buttons (greyed with their reason), or None when none shows."""
    ways = [o for o in channel_options(c.context()) if o.visible]
    if not ways:
        return None
    grid = kit.grid(kit.cols(3, 3) if kit.lang == "zh" else 2, spacing=16)
    for o in ways:
        grid.add_widget(Btn(kit.option_text(kit.tr(o.key), None, kit.tr(o.reason) if o.reason else None,
                                            title_size="button"),
                            Action.IDENTIFY, o.key.split(".", 1)[1], ui=kit, bg=C["teal"], enabled=o.enabled,
                            size_hint_y=None, height=kit.target(130)))
    return grid


def _identity_choice(kit: Kit, title: str, choices: Widget | None, note: Widget | None = None) -> Widget:
    """A screen choosing how to identify: the choices, then what is done with the data."""
    body = kit.page(title, 26)
    for part in (note, choices):
        if part is not None:
            body.add_widget(part)
    body.add_widget(Txt(kit.tr("id.data_note"), size=kit.fs("body"), color=C["muted"]))
    body.add_widget(Widget())
    return body


def ways(kit: Kit, c: Controller) -> Widget:
    green = c.flow.session.id_purpose == "green"
    note = Txt(kit.tr("green.title"), size=kit.fs("body"), bold=True, color=C["green"]) if green else None
    return _identity_choice(kit, kit.tr("ways.title"), ways_grid(kit, c), note)


def nocard(kit: Kit, c: Controller) -> Widget:
    grid = GridLayout(cols=2 if kit.landscape else 1, spacing=kit.px(24), size_hint_y=None,
                      height=kit.target(220) * (1 if kit.landscape else 2) + kit.px(24))
    for o in nocard_options(c.context()):  # an option's key is its action: nocard.sms, nocard.id
        grid.add_widget(Btn(kit.option_text(kit.tr(o.key), kit.tr(o.key + ".sub")), o.key, ui=kit,
                            bg=C["teal"]))
    return _identity_choice(kit, kit.tr("nocard.title"), grid)


def consent(kit: Kit, c: Controller) -> Widget:
    body = kit.page(kit.tr("consent.title"), 28)
    card = Card(kit)
    card.add_widget(Txt(kit.tr("consent.body"), size=kit.fs("tile") * 0.85))
    body.add_widget(card)
    # One above the other, each the full width: neither choice is squeezed or wrapped.
    body.add_widget(Btn(f"[b]{kit.tr('consent.agree')}[/b]", Action.CONSENT_AGREE, ui=kit, bg=C["green"],
                        size=kit.fs("tile"), size_hint_y=None, height=kit.target(170)))
    body.add_widget(Btn(kit.tr("consent.decline"), Action.CONSENT_DECLINE, ui=kit, bg=C["card"],
                        fg=C["neutral_text"], size_hint_y=None, height=kit.target(130)))
    body.add_widget(Widget())
    return body


def identify(kit: Kit, c: Controller) -> Widget:
    """Waiting for a card on its reader, or a face in front of the camera (with its live preview)."""
    channel = c.flow.session.identify_channel or "card"
    body = kit.page(kit.tr(f"id.{channel}"), 30)
    body.add_widget(Txt(kit.tr(f"id.{channel}.prompt"), size=kit.fs("title"), halign="center"))
    advice = pick(*c.flow.session.id_advice, kit.lang) or kit.tr("id.waiting")
    grabber = getattr(c.devices.camera, "grabber", None) if channel == "face" else None
    if grabber is not None:
        body.add_widget(kit.centred(CameraPreview(grabber, kit.px(640), kit.px(480)), kit.px(480)))
        kit.live.advice = Txt(advice, size=kit.fs("title"), bold=True, color=C["primary"], halign="center")
        body.add_widget(kit.live.advice)
    else:
        box, kit.live.advice = reader_box(kit, advice)  # the face check's advice changes in place
        body.add_widget(box)
    body.add_widget(Txt(kit.tr("id.data_note"), size=kit.fs("body"), color=C["muted"], halign="center"))
    if c.identification.simulated(channel):
        body.add_widget(Btn(kit.tr("id.demo_present"), Action.ID_DEMO_PRESENT, ui=kit, bg=C["card"],
                            fg=C["neutral_text"], size_hint_y=None, height=kit.target(110)))
    body.add_widget(Widget())
    return body


def identified(kit: Kit, c: Controller) -> Widget:
    s = c.flow.session
    who = s.id_session
    body = kit.page(kit.tr("identified.title"), 22)
    if who is None:
        body.add_widget(Widget())
        return body
    card = Card(kit)
    name = who.holder or who.id_number or who.phone  # all masked by the server; an SMS identity has a phone only
    if name:
        card.add_widget(Txt(kit.tr("identified.hello", holder=name), size=kit.fs("title"), bold=True))
    if who.id_number and who.holder:
        card.add_widget(Txt(who.id_number, size=kit.fs("body"), color=C["muted"]))
    if who.green:
        key = "identified.green_list" if who.green_reason == "list" else "identified.green_age"
        card.add_widget(Txt(kit.tr(key, age=c.context().green_age()), size=kit.fs("body"), bold=True,
                            color=C["green"]))
    if who.waiting:
        card.add_widget(Txt(kit.tr("identified.waiting", numbers="、".join(n for _, n in who.waiting)),
                            size=kit.fs("body"), color=C["warn_text"]))
    listing = kit.column(10)
    listing.add_widget(card)
    listing.add_widget(Txt(kit.tr("identified.reservations"), size=kit.fs("tile"), bold=True))
    for r in who.reservations:
        start, end = local_hm(r.slot_start, c.hall), local_hm(r.slot_end, c.hall)
        state = "" if r.open else f"（{kit.tr('identified.checked_in')}）" if kit.lang == "zh" \
            else f" ({kit.tr('identified.checked_in')})"
        name = queue_name(c.queue(r.queue), kit.lang) or r.queue_name
        listing.add_widget(Txt(f"{start}–{end}  {r.queue} {name}{state}", size=kit.fs("body"),
                               color=C["text"] if r.open else C["muted"]))
    first = next(iter(who.open_reservations), None)
    actions = kit.column(20)
    if first is not None:
        start, end = local_hm(first.slot_start, c.hall), local_hm(first.slot_end, c.hall)
        name = queue_name(c.queue(first.queue), kit.lang) or first.queue_name
        actions.add_widget(Btn(f"[b]{kit.tr('identified.checkin', start=start, end=end, name=name)}[/b]",
                               Action.IDENTIFIED_CHECKIN, ui=kit, bg=C["green"], size=kit.fs("tile"),
                               size_hint_y=None, height=kit.target(180)))
    else:
        actions.add_widget(Txt(kit.tr("identified.no_open"), size=kit.fs("body"), color=C["muted"]))
    q = c.queue(s.queue)
    actions.add_widget(Btn(kit.tr("identified.take", name=f"{q.id if q else ''} {queue_name(q, kit.lang)}"),
                           Action.IDENTIFIED_TAKE, ui=kit, bg=C["card"], fg=C["neutral_text"], size_hint_y=None,
                           height=kit.target(140)))
    if kit.landscape:  # who and what on the left, the two choices on the right
        row = BoxLayout(spacing=kit.px(36))
        row.add_widget(kit.scroll(listing))
        right = BoxLayout(orientation="vertical", size_hint_x=0.45)
        right.add_widget(actions)
        right.add_widget(Widget())
        row.add_widget(right)
        body.add_widget(row)
        return body
    listing.add_widget(actions)
    body.add_widget(kit.scroll(listing))
    return body
