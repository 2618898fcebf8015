"""The kiosk's behaviour: the flow (kiosk.flow) driven by the citizen's touches, the queue server
(kiosk.api) and the devices (kiosk.devices). No Kivy here: the UI gives a `post` function that
runs a callable on its own thread and a `render` callback, so the controller also runs headless
(selftest, benchmarks, unit tests).

Every button lands in `act()`, which finds its handler in one explicit table (`actions`, with
identification's buttons from kiosk.identification). Threads: network calls run on workers
(kiosk.jobs), device waits on their own threads (kiosk.waits); results are posted to the UI thread,
which alone changes the flow. kiosk.monitor refreshes the hall (reconnecting with backoff) and
watches device health; what it finds lands in `_came_online`, `_went_offline`, `_health_changed`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from hall_common.id_numbers import is_valid_id_number
from hall_common.vocabulary import Channel, ErrorCode
from hardware.health import Health, HealthLevel

from . import __version__
from .actions import WHILE_BUSY, Action
from .api import ApiClient, ApiError
from .config import KioskConfig
from .devices import DeviceSet
from .evaluating import Evaluating
from .flow import CODE_RE, Context, Flow, Screen, checkin_code_from_qr, hall_open, search_items
from .identification import Identification
from .jobs import Jobs, noop
from .monitor import HallData, Listeners, Monitor
from .printing import PrintOutcome, build_slip, print_slip
from .replies import Followed, HallInfo, Item, QueueInfo, Ticket
from .strings import t
from .waits import DeviceWaits, Waiting

log = logging.getLogger("kiosk")

# Screens that make no sense without the server: the kiosk leaves them when the connection drops.
NEEDS_SERVER = {Screen.QUEUES, Screen.ITEMS, Screen.CONFIRM, Screen.CHECKIN, Screen.SCAN,
                Screen.IDENTIFY, Screen.GREEN, Screen.KEYPAD, Screen.FOLLOW, Screen.WAYS, Screen.NOCARD,
                Screen.CONSENT, Screen.IDENTIFIED, Screen.EVALUATE, Screen.EVAL_REASONS}
SCAN_POLL_S = 0.15
# A 409 refusing a ticket usually means the hall changed (closed, a limit reached): the kiosk
# refreshes the hall then, except for this one, which is about the citizen.
NOT_THE_HALL = frozenset({ErrorCode.GREEN_NEEDS_IDENTITY})
CHECKIN_REFUSALS: dict[str, str] = {ErrorCode.RESERVATION_CANCELLED: "checkin.cancelled",
                                    ErrorCode.RESERVATION_OTHER_DAY: "checkin.not_today"}

class Controller:
    def __init__(self, config: KioskConfig, *, post: Callable[[Callable[[], None]], None] | None = None,
                 devices: DeviceSet | None = None, api: ApiClient | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.config = config
        self.clock = clock
        self.post = post or (lambda fn: fn())
        self.render: Callable[[], None] = lambda: None
        to = config.timeouts
        self.flow = Flow(idle_s=to.idle_s, ticket_s=to.ticket_s, screensaver_s=to.screensaver_s,
                         language=config.language, large=config.large_text, now=clock())
        self.api = api or ApiClient(config.server_url, config.hall, config.token, connect_s=to.http_connect_s,
                                    read_s=to.http_read_s, retries=to.retries)
        self.devices = devices or DeviceSet(config.devices)
        self.online = False
        self.connected_once = False
        self.hall: HallInfo | None = None
        self.queues: list[QueueInfo] = []
        self.windows: dict[str, str] = {}
        self.items: list[Item] = []  # every item of the hall, kept for browsing and offline reading
        self.device_health: dict[str, Health] = {}
        self.started_at = time.time()
        self._stop = threading.Event()
        self.monitor = Monitor(self.api, self.devices, to, clock=clock, post=self.post,
                               listeners=Listeners(self._came_online, self._went_offline, self._health_changed),
                               need_items=lambda: not self.items, app_info=self._app_info)
        self.last_print_bytes_at: float | None = None  # bench/bench_kiosk.py: touch → slip bytes
        self.jobs = Jobs(self.post, lambda: self.render(), self.unexpected)
        self.waits = DeviceWaits(self.jobs, self._stop)
        self.identification = Identification(flow=self.flow, api=self.api, devices=self.devices, jobs=self.jobs,
                                             waits=self.waits, desk=self, clock=clock,
                                             card_wait_s=max(to.idle_s, 5))
        self.evaluating = Evaluating(flow=self.flow, api=self.api, jobs=self.jobs, waits=self.waits, desk=self)
        # Every button's handler, by name (buttons with an argument: `actions_with_arg`).
        self.actions: dict[Action, Callable[[], None]] = {
            Action.TOGGLE_LARGE: self.toggle_large,
            Action.TOGGLE_LANG: self.toggle_lang,
            Action.NAV_BACK: self.nav_back,
            Action.NAV_HOME: self.nav_home,
            Action.SCREENSAVER_WAKE: self.wake,
            Action.HOME_TAKE: self.take_ticket,
            Action.HOME_GREEN: self.green_explained,
            Action.GREEN_CHOOSE: self.take_green_ticket,
            Action.HOME_CHECKIN: self.checkin_ways,
            Action.HOME_GUIDE: self.guides,
            Action.HOME_FOLLOW: self.follow,
            Action.CONFIRM_CHOOSE_ITEM: self.choose_item,
            Action.ITEMS_SKIP: self.skip_item,
            Action.CONFIRM_PRINT: self.confirm_print,
            Action.TICKET_DONE: self.ticket_done,
            Action.TICKET_REPRINT: self.ticket_reprint,
            Action.KEYPAD_OK: self.keypad_ok,
            Action.CHECKIN_BY_CODE: self.checkin_by_code,
            Action.CHECKIN_BY_ID: self.checkin_by_id,
            Action.CHECKIN_BY_SCAN: self.checkin_by_scan,
            Action.SCAN_RETRY: self.scan_again,
            Action.GUIDE_SEARCH: self.guide_search,
            Action.GUIDE_CODE: self.guide_code,
            Action.GUIDE_RESULTS: self.guide_results,
            Action.GUIDE_TAKE: self.guide_take,
            **self.identification.actions(),
            **self.evaluating.actions(),
        }
        self.actions_with_arg: dict[Action, Callable[[str], None]] = {
            Action.QUEUE: self.choose_queue,
            Action.ITEM: self.choose_item_code,
            Action.KEY: self.key,
            Action.GUIDE_QUEUE: self.guide_queue,
            Action.WORD: self.word,
            Action.GUIDE_ITEM: self.guide_item,
            Action.IDENTIFY: self.identification.identify,
            **self.evaluating.actions_with_arg(),
        }

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.monitor.start()

    def stop(self) -> None:
        self._stop.set()
        self.monitor.stop()
        self.jobs.shutdown()
        self.devices.close()
        self.api.close()

    @property
    def pending(self) -> int:
        return self.jobs.pending

    # -- context for what is on offer ----------------------------------------------------------------
    def context(self) -> Context:
        return Context(
            online=self.online,
            hall=self.hall,
            devices={name: h.level.value for name, h in self.device_health.items()},
            offered_channels=self.config.channels,
            have_cached_guides=bool(self.items),
        )

    def queue(self, queue_id: str | None) -> QueueInfo | None:
        return next((q for q in self.queues if q.id == queue_id), None)

    def queue_items(self, queue_id: str | None) -> list[Item]:
        return [i for i in self.items if i.queue == queue_id]

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    # -- the connection and device health (kiosk.monitor watches; the state lives here) ----------------
    @property
    def next_retry_at(self) -> float | None:
        return self.monitor.next_retry_at

    def refresh_now(self) -> None:
        self.monitor.refresh_now()

    def check_health_now(self) -> None:
        self.monitor.check_health_now()

    def _came_online(self, fetched: HallData) -> None:
        was_online = self.online
        self.windows = fetched.windows
        self.online = True
        self.connected_once = True
        self.hall = fetched.hall
        self.queues = fetched.queues
        if fetched.items is not None:
            self.items = fetched.items
        if not was_online:
            self.check_health_now()
            if self.flow.screen is Screen.OFFLINE:
                self.flow.home()
        self.render()

    def _went_offline(self) -> None:
        was_online = self.online
        self.online = False
        if self.flow.screen in NEEDS_SERVER and not self.flow.busy:
            self.flow.go(Screen.OFFLINE)
        if was_online:
            log.warning("server unreachable; reconnecting with backoff")
        self.render()

    def _health_changed(self, health: dict[str, Health]) -> None:
        before = {k: v.level for k, v in self.device_health.items()}
        self.device_health = health
        if before != {k: v.level for k, v in health.items()}:
            self.render()

    def _app_info(self) -> dict[str, str]:
        """The health report's `app`: who and where this kiosk is."""
        return {"version": __version__, "device": self.config.device_id, "screen": self.flow.screen.value,
                "orientation": self.config.orientation, "uptime_s": str(int(time.time() - self.started_at))}

    def printer_problem(self) -> tuple[str, str] | None:
        health = self.device_health.get("printer")
        if health is not None and health.level is HealthLevel.ERROR:
            return health.message_zh, health.message_en
        return None

    # -- clock ---------------------------------------------------------------------------------------
    def tick(self) -> None:
        if self.flow.tick(self.clock()):
            self.waits.cancel()
            self.render()

    def touched(self) -> None:
        self.flow.touch(self.clock())

    # -- the citizen's actions -------------------------------------------------------------------------
    def act(self, action: str, arg: Any = None) -> None:
        """Every button of every screen lands here. Unknown actions are ignored, never fatal."""
        self.touched()
        if self.flow.busy and action not in WHILE_BUSY:
            return
        try:
            name = Action(action)
        except ValueError:
            name = None
        plain, with_arg = self.actions.get(name) if name else None, self.actions_with_arg.get(name) if name else None
        if plain is None and with_arg is None:
            log.warning("unknown action %s", action)
            return
        try:
            if plain is not None:
                plain()
            elif with_arg is not None:
                with_arg(str(arg))
        except Exception:
            log.exception("action %s failed", action)
            self.unexpected()
        self.render()

    def unexpected(self) -> None:
        self.flow.home()
        self.flow.session.message_body = (t("msg.unexpected", "zh"), t("msg.unexpected", "en"))
        self.flow.session.message_title = "msg.error_title"
        self.flow.go(Screen.MESSAGE, push=False)

    def show_message(self, title: str, error: ApiError | None = None, body_key: str | None = None,
                     hint: str = "msg.try_later") -> None:
        session = self.flow.session
        session.message_title = title
        if body_key:
            session.message_body = (t(body_key, "zh"), t(body_key, "en"))
        elif error is not None:
            session.message_body = (error.message_zh, error.message_en or error.message_zh)
        else:
            session.message_body = ("", "")
        session.message_hint = hint
        self.flow.go(Screen.MESSAGE)

    def failed(self, error: ApiError) -> None:
        self.flow.busy = False
        if error.unreachable:
            self.online = False
            self.refresh_now()
            self.flow.go(Screen.OFFLINE)
            return
        self.show_message("msg.error_title", error)

    # chrome
    def toggle_large(self) -> None:
        self.flow.large = not self.flow.large

    def toggle_lang(self) -> None:
        self.flow.lang = "en" if self.flow.lang == "zh" else "zh"

    def nav_back(self) -> None:
        self.waits.cancel()
        self.flow.back()
        if self.flow.screen is Screen.SCAN:  # back to a scan screen (after a refusal): it reads again
            self.start_scan(self.flow.session.scan_purpose or "follow")

    def nav_home(self) -> None:
        self.waits.cancel()
        self.flow.home()

    def wake(self) -> None:
        self.flow.home()

    # home
    def _to_queues(self, green: bool) -> None:
        """Ticket taking starts here; outside the hall's hours it shows the hours instead."""
        if not hall_open(self.hall):
            self.flow.go(Screen.CLOSED)
            self.refresh_now()
            return
        self.flow.session.green = green
        self.flow.go(Screen.QUEUES)
        self._refresh_queues()

    def take_ticket(self) -> None:
        self._to_queues(green=False)

    def green_explained(self) -> None:
        self.flow.go(Screen.GREEN)

    def take_green_ticket(self) -> None:
        self._to_queues(green=True)

    def open_green_queues(self) -> None:
        """Identified for the green channel: the queues, with home as the way back."""
        self.flow.history.clear()
        self.flow.history.append(Screen.HOME)
        self.flow.replace(Screen.QUEUES)
        self._refresh_queues()

    def checkin_ways(self) -> None:
        self.flow.go(Screen.CHECKIN)

    def guides(self) -> None:
        self.flow.go(Screen.GUIDE_HOME)
        if self.online:
            self.jobs.run(self.api.items, self._got_items, noop)

    def _got_items(self, items: list[Item]) -> None:
        self.items = items

    def follow(self) -> None:
        self.start_scan("follow")

    def _refresh_queues(self) -> None:
        self.jobs.run(self.api.queues, self._got_queues, lambda e: self.failed(e) if e.unreachable else None)

    def _got_queues(self, queues: list[QueueInfo]) -> None:
        self.queues = queues

    # queue, item, confirm
    def choose_queue(self, queue_id: str) -> None:
        if self.queue(queue_id) is None:
            return
        self.flow.session.queue = queue_id
        self.flow.session.item = None
        self.flow.go(Screen.CONFIRM)

    def choose_item(self) -> None:
        self.flow.go(Screen.ITEMS)
        if not self.items and self.online:
            self.jobs.run(self.api.items, self._got_items, noop)

    def choose_item_code(self, code: str) -> None:
        item = self.item(code)
        if item is None:
            return
        self.flow.session.item = item
        self.flow.back()  # to the confirmation

    def skip_item(self) -> None:
        self.flow.session.item = None
        self.flow.back()

    def confirm_print(self) -> None:
        if self.flow.session.id_session is not None:  # identified first (green channel by identity)
            self.identification.issue_identified()
        elif self.flow.session.queue not in self.context().identity_queues():
            self.issue(Channel.WALKIN)

    # tickets
    def issue(self, channel: Channel) -> None:
        session = self.flow.session
        queue_id = session.queue
        if not queue_id:
            return
        item_code = session.item.code if session.item else None
        green = session.green
        phone = session.identity.phone if session.identity else None
        identity = session.id_session.token if session.id_session is not None else None
        session.channel = channel
        self.flow.busy = True

        def obtain() -> tuple[Ticket, str]:
            ticket = self.api.issue(queue_id, channel=channel, item_code=item_code, green=green, phone=phone,
                                    identity=identity)
            return ticket, "reprint" if ticket.reprint else "issued"
        self.jobs.run(self._then_print(obtain), self._printed, self._issue_failed)

    def _then_print(self, obtain: Callable[[], tuple[Ticket, str]]) -> Callable[[], tuple[Ticket, PrintOutcome | None]]:
        """A worker job: get the ticket and its kind from the server, show it at once, and print it
        on the same worker thread (no wait for the screen to be drawn). A reservation already
        checked in ("again") is shown, and printed only on request."""
        lang = self.flow.lang

        def work() -> tuple[Ticket, PrintOutcome | None]:
            ticket, ticket_kind = obtain()
            printing = ticket_kind != "again" and self.devices.printer is not None
            self.post(lambda: self._issued(ticket, ticket_kind, printing))
            return ticket, self._print_now(ticket, lang) if printing else None

        return work

    def _issued(self, ticket: Ticket, kind: str, printing: bool) -> None:
        flow = self.flow
        flow.busy = False
        # Identity data lives only for the transaction: gone as soon as the ticket exists.
        flow.session.identity = None
        flow.session.id_session = None
        flow.session.ticket = ticket
        flow.session.ticket_kind = kind
        flow.session.print_state = "printing" if printing else (
            "no_printer" if self.devices.printer is None else "none")
        flow.history.clear()
        flow.replace(Screen.TICKET)
        flow.touch(self.clock())
        self._refresh_queues()

    def _print_now(self, ticket: Ticket, lang: str) -> PrintOutcome:
        """On a worker thread."""
        outcome = print_slip(self.devices.printer, lambda: self.slip(ticket, lang))
        if outcome.printed:
            self.last_print_bytes_at = time.perf_counter()
        return outcome

    def _printed(self, result: tuple[Ticket, PrintOutcome | None]) -> None:
        ticket, outcome = result
        session = self.flow.session
        if outcome is None or session.ticket is not ticket:
            return
        session.print_state = "printed" if outcome.printed else "failed"
        session.print_reason = outcome.reason
        self.check_health_now()

    def slip(self, ticket: Ticket, lang: str | None = None) -> Any:
        return build_slip(ticket, hall=self.hall, queue=self.queue(ticket.queue), windows=self.windows,
                          server_url=self.config.server_url, hall_id=self.config.hall, lang=lang or self.flow.lang)

    def _issue_failed(self, error: ApiError) -> None:
        self.flow.busy = False
        if error.unreachable:
            self.failed(error)
            return
        if error.status == 409 and error.code not in NOT_THE_HALL:
            self.refresh_now()
        self.show_message("msg.error_title", error)

    def ticket_done(self) -> None:
        self.flow.home()

    def ticket_reprint(self) -> None:
        session = self.flow.session
        ticket = session.ticket
        if ticket is None or self.devices.printer is None or session.print_state == "printing":
            return
        session.print_state = "printing"
        lang = self.flow.lang
        self.jobs.run(lambda: (ticket, self._print_now(ticket, lang)), self._printed, self.failed)

    # keypad
    def key(self, key: str) -> None:
        self.flow.key(key)

    def keypad_ok(self) -> None:
        session = self.flow.session
        text = session.keypad_text
        purpose = session.keypad_purpose
        if purpose == "checkin_code":
            if not CODE_RE.match(text):
                session.keypad_error = "checkin.code_invalid"
                return
            self.check_in(code=text)
        elif purpose == "checkin_id":
            if not is_valid_id_number(text):
                session.keypad_error = "checkin.id_invalid"
                return
            self.check_in(id_number=text)
        elif self.identification.keypad_ok(purpose, text) or self.evaluating.keypad_ok(purpose, text):
            pass
        elif purpose == "guide_code":
            session.search_terms = []
            session.guide_queue = None
            session.guide_items = search_items(self.items, [], text)
            self.flow.go(Screen.GUIDE_ITEMS)

    # check-in
    def checkin_by_code(self) -> None:
        self.flow.open_keypad("checkin_code")

    def checkin_by_id(self) -> None:
        self.flow.open_keypad("checkin_id")

    def checkin_by_scan(self) -> None:
        self.start_scan("checkin")

    def check_in(self, *, code: str | None = None, id_number: str | None = None,
                 identity: str | None = None) -> None:
        self.flow.busy = True

        def obtain() -> tuple[Ticket, str]:
            ticket, created = self.api.check_in(code=code, id_number=id_number, identity=identity)
            return ticket, "checkin" if created else "again"
        self.jobs.run(self._then_print(obtain), self._printed, self._checkin_failed)

    def _checkin_failed(self, error: ApiError) -> None:
        self.flow.busy = False
        session = self.flow.session
        if error.unreachable:
            self.failed(error)
        elif error.status == 404:
            self.show_message("checkin.refused", body_key="checkin.none_for_person" if session.id_session
                              else "checkin.not_found", hint="")
        elif error.status == 422:
            session.keypad_error = ("checkin.id_invalid" if session.keypad_purpose == "checkin_id"
                                    else "checkin.code_invalid")
            if self.flow.screen is not Screen.KEYPAD:
                self.show_message("checkin.refused", body_key="checkin.qr_unknown", hint="")
        elif error.status == 409:
            self.show_message(CHECKIN_REFUSALS.get(error.code, "checkin.refused"), error, hint="")
        else:
            self.show_message("checkin.refused", error)

    # scanning (reservation QR, slip QR, 鲁通码)
    def start_scan(self, purpose: str) -> None:
        self.flow.session.scan_purpose = purpose
        self.flow.go(Screen.SCAN)
        for device in self.devices.qr_inputs():
            try:
                device.clear()
            except Exception:
                pass
        self.waits.start("scan", self._scan_once, seconds=max(self.config.timeouts.idle_s, 5) + 5,
                         every=SCAN_POLL_S, found=self._scanned)

    def _scan_once(self, _: Waiting) -> str | None:
        for device in self.devices.qr_inputs():
            try:
                payload = device.poll()
            except Exception:  # a device that fails to read is "nothing read"; its health says why
                payload = None
            if payload:
                return str(payload)
        return None

    def _scanned(self, payload: str) -> None:
        flow = self.flow
        if flow.screen is not Screen.SCAN:
            return
        self.touched()
        purpose = flow.session.scan_purpose
        if purpose == "checkin":
            code = checkin_code_from_qr(payload)
            if code is None:
                self.show_message("checkin.refused", body_key="checkin.qr_unknown", hint="")
                return
            self.check_in(code=code)
        elif purpose == "follow":
            self.flow.busy = True
            self.jobs.run(lambda: self.api.track(payload), self._followed, self._follow_failed)
        elif purpose == "lutong":
            self.identification.scanned_lutong(payload)
        elif purpose == "evaluate":
            self.evaluating.scanned(payload)

    def _followed(self, followed: Followed) -> None:
        self.flow.busy = False
        self.flow.session.follow = followed
        self.flow.replace(Screen.FOLLOW)

    def _follow_failed(self, error: ApiError) -> None:
        self.flow.busy = False
        if error.unreachable:
            self.failed(error)
        else:
            unknown = error.code == ErrorCode.NOT_FOUND and error.message_zh == t("follow.qr_unknown", "zh")
            self.show_message("follow.title", body_key="follow.qr_unknown" if unknown else "follow.not_found", hint="")

    def scan_again(self) -> None:
        self.start_scan(self.flow.session.scan_purpose or "follow")

    # guides
    def guide_queue(self, queue_id: str) -> None:
        session = self.flow.session
        session.guide_queue = queue_id
        session.search_terms = []
        session.guide_items = self.queue_items(queue_id)
        self.flow.go(Screen.GUIDE_ITEMS)

    def guide_search(self) -> None:
        self.flow.session.search_terms = []
        self.flow.go(Screen.GUIDE_SEARCH)

    def guide_code(self) -> None:
        self.flow.open_keypad("guide_code")

    def word(self, word: str) -> None:
        terms = self.flow.session.search_terms
        if word in terms:
            terms.remove(word)
        else:
            terms.append(word)

    def guide_results(self) -> None:
        session = self.flow.session
        session.guide_queue = None
        session.guide_items = search_items(self.items, session.search_terms)
        self.flow.go(Screen.GUIDE_ITEMS)

    def guide_item(self, code: str) -> None:
        item = self.item(code)
        if item is not None:
            self.flow.session.guide_item = item
            self.flow.go(Screen.GUIDE)

    def guide_take(self) -> None:
        item = self.flow.session.guide_item
        if not item or not self.online:
            return
        if not hall_open(self.hall):
            self.flow.go(Screen.CLOSED)
            return
        if self.queue(item.queue) is None:
            return
        self.flow.session.queue = item.queue
        self.flow.session.item = item
        self.flow.session.green = False
        self.flow.go(Screen.CONFIRM)

    # -- for the views ---------------------------------------------------------------------------
    def search_count(self) -> int:
        return len(search_items(self.items, self.flow.session.search_terms))
