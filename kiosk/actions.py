"""Every button's action, by name. A button sends one of these (with an argument for the ones
marked so); the controller's table (`Controller.actions`, plus `Identification.actions` for the
identification buttons and `Evaluating.actions` for 好差评's) names the method that handles it.
The values are the words the views and tests use ("home.take"); a home tile's or an option's key
is its action."""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    # chrome: header, footer, notice loop
    TOGGLE_LARGE = "toggle.large"
    TOGGLE_LANG = "toggle.lang"
    NAV_BACK = "nav.back"
    NAV_HOME = "nav.home"
    SCREENSAVER_WAKE = "screensaver.wake"
    # home tiles
    HOME_TAKE = "home.take"
    HOME_CHECKIN = "home.checkin"
    HOME_GUIDE = "home.guide"
    HOME_FOLLOW = "home.follow"
    HOME_GREEN = "home.green"
    HOME_EVALUATE = "home.evaluate"
    # queue, item, confirm, ticket
    QUEUE = "queue"  # argument: the queue id
    ITEM = "item"  # argument: the item code
    ITEMS_SKIP = "items.skip"
    CONFIRM_CHOOSE_ITEM = "confirm.choose_item"
    CONFIRM_PRINT = "confirm.print"
    TICKET_DONE = "ticket.done"
    TICKET_REPRINT = "ticket.reprint"
    GREEN_CHOOSE = "green.choose"
    # keypad
    KEY = "key"  # argument: the key ("A", "7", "DEL", "CLEAR")
    KEYPAD_OK = "keypad.ok"
    # reservations and scanning
    CHECKIN_BY_CODE = "checkin.by_code"
    CHECKIN_BY_ID = "checkin.by_id"
    CHECKIN_BY_SCAN = "checkin.by_scan"
    SCAN_RETRY = "scan.retry"
    # guides
    GUIDE_QUEUE = "guide.queue"  # argument: the queue id
    GUIDE_SEARCH = "guide.search"
    GUIDE_CODE = "guide.code"
    WORD = "word"  # argument: the search word
    GUIDE_RESULTS = "guide.results"
    GUIDE_ITEM = "guide.item"  # argument: the item code
    GUIDE_TAKE = "guide.take"
    # identification (kiosk.identification)
    IDENTIFY = "identify"  # argument: the way ("lutong", "card", "idcard", "face", "nocard")
    CHECKIN_BY_IDENTITY = "checkin.by_identity"
    GREEN_IDENTIFY = "green.identify"
    NOCARD_SMS = "nocard.sms"
    NOCARD_ID = "nocard.id"
    CONSENT_AGREE = "consent.agree"
    CONSENT_DECLINE = "consent.decline"
    SMS_RESEND = "sms.resend"
    ID_DEMO_PRESENT = "id.demo_present"
    IDENTIFIED_TAKE = "identified.take"
    IDENTIFIED_CHECKIN = "identified.checkin"
    # 好差评 (kiosk.evaluating)
    EVAL_BY_NUMBER = "eval.by_number"
    EVAL_LEVEL = "eval.level"  # argument: the level, 5 (非常满意) … 1 (非常不满意)
    EVAL_REASON = "eval.reason"  # argument: one of the hall's reasons
    EVAL_SUBMIT = "eval.submit"
    EVAL_FOLLOW_UP = "eval.follow_up"
    EVAL_DONE = "eval.done"


# Actions a citizen may use while the kiosk waits for the server.
WHILE_BUSY = frozenset({Action.TOGGLE_LARGE, Action.TOGGLE_LANG})
