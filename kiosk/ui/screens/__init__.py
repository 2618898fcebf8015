"""One builder per flow screen, grouped by the citizen's journey; `SCREENS` says which builds
which. Each takes the screen's `Kit` and the controller and returns the screen's body (the chrome
around it is kiosk.ui.chrome)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kivy.uix.widget import Widget

from ...flow import Screen
from ..kit import Kit
from . import checkin, evaluation, follow, guides, home, identification, keypad, messages, queues, ticket

if TYPE_CHECKING:
    from ...controller import Controller

Builder = Callable[[Kit, "Controller"], Widget]

SCREENS: dict[Screen, Builder] = {
    Screen.HOME: home.home,
    Screen.CLOSED: home.closed,
    Screen.GREEN: home.green,
    Screen.QUEUES: queues.queues,
    Screen.ITEMS: queues.items,
    Screen.CONFIRM: queues.confirm,
    Screen.WAYS: identification.ways,
    Screen.NOCARD: identification.nocard,
    Screen.CONSENT: identification.consent,
    Screen.IDENTIFY: identification.identify,
    Screen.IDENTIFIED: identification.identified,
    Screen.KEYPAD: keypad.keypad,
    Screen.TICKET: ticket.ticket,
    Screen.CHECKIN: checkin.checkin,
    Screen.SCAN: checkin.scan,
    Screen.FOLLOW: follow.follow,
    Screen.GUIDE_HOME: guides.guide_home,
    Screen.GUIDE_SEARCH: guides.guide_search,
    Screen.GUIDE_ITEMS: guides.guide_items,
    Screen.GUIDE: guides.guide,
    Screen.EVALUATE: evaluation.evaluate,
    Screen.EVAL_REASONS: evaluation.reasons,
    Screen.EVAL_REFUSED: evaluation.refused,
    Screen.EVAL_DONE: evaluation.thanks,
    Screen.MESSAGE: messages.message,
    Screen.OFFLINE: messages.offline,
    # Screen.SCREENSAVER has no chrome: kiosk.ui.root draws screensaver.screensaver itself.
}
