"""The kiosk's behaviour: the flow (kiosk.flow) driven by the citizen's touches, the queue server
(kiosk.api) and the devices (kiosk.devices). No Kivy here: the UI gives a `post` function that
runs a callable on its own thread and a `render` callback, so the controller also runs headless
(selftest, benchmarks, unit tests).

Threads: every network call and device operation runs on a worker thread; its result is posted to
the UI thread, which alone changes the flow. A monitor thread refreshes the hall and reconnects
with backoff; a health thread reports device health periodically and on change."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from hall_common.id_numbers import is_valid_id_number
from hardware.health import Health, HealthLevel

from . import __version__
from .api import ApiClient, ApiError
from .config import KioskConfig
from .devices import DeviceSet
from .flow import (
    CODE_RE,
    Context,
    Flow,
    Screen,
    checkin_code_from_qr,
    hall_open,
    queue_name,
    search_items,
    windows_text,
)
from .identification import IdentificationMixin
from .strings import t

log = logging.getLogger("kiosk")

# Screens that make no sense without the server: the kiosk leaves them when the connection drops.
NEEDS_SERVER = {Screen.QUEUES, Screen.ITEMS, Screen.CONFIRM, Screen.CHECKIN, Screen.SCAN,
                Screen.IDENTIFY, Screen.GREEN, Screen.KEYPAD, Screen.FOLLOW, Screen.WAYS, Screen.NOCARD,
                Screen.CONSENT, Screen.IDENTIFIED}


class Controller(IdentificationMixin):
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
        self.hall: dict | None = None
        self.queues: list[dict] = []
        self.windows: dict[str, str] = {}
        self.items: list[dict] = []  # every item of the hall, kept for browsing and offline reading
        self.device_health: dict[str, Health] = {}
        self.next_retry_at: float | None = None
        self.started_at = time.time()
        self._pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="kiosk-io")
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake_monitor = threading.Event()
        self._wake_health = threading.Event()
        self._scan_generation = 0
        self._last_report: tuple | None = None
        self._last_report_at = 0.0
        self.last_print_bytes_at: float | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        threading.Thread(target=self._monitor, name="kiosk-monitor", daemon=True).start()
        threading.Thread(target=self._health_loop, name="kiosk-health", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._wake_monitor.set()
        self._wake_health.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.devices.close()
        self.api.close()

    @property
    def pending(self) -> int:
        return self._pending

    def _bg(self, work: Callable[[], Any], done: Callable[[Any], None],
            failed: Callable[[ApiError], None] | None = None) -> None:
        """Run `work` on a worker thread; `done(result)` or `failed(error)` then run on the UI thread."""
        with self._pending_lock:
            self._pending += 1

        def finish(fn: Callable[[], None]) -> None:
            def run() -> None:
                try:
                    fn()
                except Exception:
                    log.exception("kiosk callback failed")
                    self._unexpected()
                finally:
                    with self._pending_lock:
                        self._pending -= 1
                self.render()
            self.post(run)

        def job() -> None:
            try:
                result = work()
            except ApiError as exc:
                finish(lambda err=exc: (failed or self._failed)(err))
                return
            except Exception as exc:
                log.exception("kiosk job failed")
                error = ApiError("bad_response", 0, exc.__class__.__name__, t("msg.server_error", "zh"),
                                 t("msg.server_error", "en"))
                finish(lambda err=error: (failed or self._failed)(err))
                return
            finish(lambda value=result: done(value))

        try:
            self._pool.submit(job)
        except RuntimeError:  # shutting down
            with self._pending_lock:
                self._pending -= 1

    # -- context for what is on offer ----------------------------------------------------------------
    def context(self) -> Context:
        return Context(
            online=self.online,
            hall=self.hall,
            devices={name: h.level.value for name, h in self.device_health.items()},
            offered_channels=self.config.channels,
            have_cached_guides=bool(self.items),
        )

    def queue(self, queue_id: str | None) -> dict | None:
        return next((q for q in self.queues if q.get("id") == queue_id), None)

    @property
    def lang(self) -> str:
        return self.flow.lang

    # -- the connection ------------------------------------------------------------------------------
    def refresh_now(self) -> None:
        self._wake_monitor.set()

    def _fetch(self) -> tuple[dict, list[dict], dict[str, str], list[dict] | None]:
        hall = self.api.hall_info()
        queues = self.api.queues()
        windows = {str(w.get("id")): str(w.get("name") or w.get("id")) for w in self.api.windows()
                   if isinstance(w, dict)}
        items = None
        if not self.items:
            items = self.api.items()
        return hall, queues, windows, items

    def _monitor(self) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            try:
                hall, queues, windows, items = self._fetch()
            except ApiError as exc:
                if exc.unreachable:
                    wait = backoff
                    backoff = min(backoff * 2, self.config.timeouts.reconnect_max_s)
                    self.next_retry_at = self.clock() + wait
                    self.post(self._went_offline)
                    self._wake_monitor.wait(wait)
                    self._wake_monitor.clear()
                    continue
                log.warning("hall refresh refused: %s", exc)
                self._wake_monitor.wait(self.config.timeouts.refresh_s)
                self._wake_monitor.clear()
                continue
            except Exception:
                log.exception("hall refresh failed")
                self._wake_monitor.wait(self.config.timeouts.refresh_s)
                self._wake_monitor.clear()
                continue
            backoff = 1.0
            self.next_retry_at = None
            self.post(lambda: self._came_online(hall, queues, windows, items))
            self._wake_monitor.wait(self.config.timeouts.refresh_s)
            self._wake_monitor.clear()

    def _came_online(self, hall: dict, queues: list[dict], windows: dict[str, str],
                     items: list[dict] | None) -> None:
        was_online = self.online
        self.windows = windows
        self.online = True
        self.connected_once = True
        self.hall = hall
        self.queues = [q for q in queues if isinstance(q, dict)]
        if items is not None:
            self.items = [i for i in items if isinstance(i, dict)]
        if not was_online:
            self._wake_health.set()
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

    # -- device health -------------------------------------------------------------------------------
    def check_health_now(self) -> None:
        self._wake_health.set()

    def _health_loop(self) -> None:
        while not self._stop.is_set():
            try:
                health = self.devices.health()
                self.post(lambda h=health: self._health_changed(h))
                self._maybe_report(health)
            except Exception:
                log.exception("health check failed")
            self._wake_health.wait(5.0)
            self._wake_health.clear()

    def _health_changed(self, health: dict[str, Health]) -> None:
        before = {k: v.level for k, v in self.device_health.items()}
        self.device_health = health
        if before != {k: v.level for k, v in health.items()}:
            self.render()

    def components(self, health: dict[str, Health]) -> list[dict]:
        return [{"name": name, "level": h.level.value, "message_zh": h.message_zh[:200],
                 "message_en": h.message_en[:200]} for name, h in sorted(health.items())]

    def _maybe_report(self, health: dict[str, Health]) -> None:
        signature = tuple((n, h.level.value, h.message_zh) for n, h in sorted(health.items()))
        now = self.clock()
        if signature == self._last_report and now - self._last_report_at < self.config.timeouts.health_s:
            return
        app = {"version": __version__, "device": self.config.device_id, "screen": self.flow.screen.value,
               "orientation": self.config.orientation, "uptime_s": str(int(time.time() - self.started_at))}
        try:
            self.api.report_health(self.components(health), app)
        except ApiError as exc:
            log.info("health report not delivered: %s", exc)
            return
        self._last_report, self._last_report_at = signature, now

    # -- clock ---------------------------------------------------------------------------------------
    def tick(self) -> None:
        result = self.flow.tick(self.clock())
        if result:
            self._scan_generation += 1
            self.render()

    def touched(self) -> None:
        self.flow.touch(self.clock())

    # -- the citizen's actions -------------------------------------------------------------------------
    def act(self, action: str, arg: Any = None) -> None:
        """Every button of every screen lands here. Unknown actions are ignored, never fatal."""
        self.touched()
        flow = self.flow
        if flow.busy and action not in ("toggle.large", "toggle.lang"):
            return
        handler = getattr(self, "_do_" + action.replace(".", "_"), None)
        if handler is None:
            log.warning("unknown action %s", action)
            return
        try:
            handler(arg)
        except Exception:
            log.exception("action %s failed", action)
            self._unexpected()
        self.render()

    def _unexpected(self) -> None:
        self.flow.home()
        self.flow.session.message_body = (t("msg.unexpected", "zh"), t("msg.unexpected", "en"))
        self.flow.session.message_title = "msg.error_title"
        self.flow.go(Screen.MESSAGE, push=False)

    # chrome
    def _do_toggle_large(self, _: Any) -> None:
        self.flow.large = not self.flow.large

    def _do_toggle_lang(self, _: Any) -> None:
        self.flow.lang = "en" if self.flow.lang == "zh" else "zh"

    def _do_nav_back(self, _: Any) -> None:
        self._scan_generation += 1
        self.flow.back()

    def _do_nav_home(self, _: Any) -> None:
        self._scan_generation += 1
        self.flow.home()

    def _do_screensaver_wake(self, _: Any) -> None:
        self.flow.home()

    # home
    def _choose_queue(self, green: bool) -> None:
        """Ticket taking starts here; outside the hall's hours it shows the hours instead."""
        if not hall_open(self.hall):
            self.flow.go(Screen.CLOSED)
            self.refresh_now()
            return
        self.flow.session.green = green
        self.flow.go(Screen.QUEUES)
        self._refresh_queues()

    def _do_home_take(self, _: Any) -> None:
        self._choose_queue(green=False)

    def _do_home_green(self, _: Any) -> None:
        self.flow.go(Screen.GREEN)

    def _do_green_choose(self, _: Any) -> None:
        self._choose_queue(green=True)

    def _do_home_checkin(self, _: Any) -> None:
        self.flow.go(Screen.CHECKIN)

    def _do_home_guide(self, _: Any) -> None:
        self.flow.go(Screen.GUIDE_HOME)
        if self.online:
            self._bg(self.api.items, self._got_items, lambda e: None)

    def _got_items(self, items: list[dict]) -> None:
        self.items = [i for i in items if isinstance(i, dict)]

    def _do_home_follow(self, _: Any) -> None:
        self._start_scan("follow")

    def _refresh_queues(self) -> None:
        self._bg(self.api.queues, lambda qs: setattr(self, "queues", [q for q in qs if isinstance(q, dict)]),
                 lambda e: self._failed(e) if e.unreachable else None)

    # queue, item, confirm
    def _do_queue(self, queue_id: str) -> None:
        if self.queue(queue_id) is None:
            return
        self.flow.session.queue = queue_id
        self.flow.session.item = None
        self.flow.go(Screen.CONFIRM)

    def _do_confirm_choose_item(self, _: Any) -> None:
        self.flow.go(Screen.ITEMS)
        if not self.items and self.online:
            self._bg(self.api.items, self._got_items, lambda e: None)

    def queue_items(self, queue_id: str | None) -> list[dict]:
        return [i for i in self.items if i.get("queue") == queue_id]

    def _do_item(self, code: str) -> None:
        item = next((i for i in self.items if i.get("code") == code), None)
        if item is None:
            return
        self.flow.session.item = item
        self.flow.back()  # to the confirmation

    def _do_items_skip(self, _: Any) -> None:
        self.flow.session.item = None
        self.flow.back()

    def _do_confirm_print(self, _: Any) -> None:
        if self.flow.session.id_session is not None:  # identified first (green channel by identity)
            self._issue_identified()
        elif self.flow.session.queue not in self.context().identity_queues():
            self._issue("walkin")

    def _issue(self, channel: str) -> None:
        session = self.flow.session
        queue_id = session.queue
        if not queue_id:
            return
        item_code = session.item.get("code") if session.item else None
        green = session.green
        phone = (session.identity or {}).get("phone")
        identity = session.id_session.token if session.id_session is not None else None
        session.channel = channel
        self.flow.busy = True

        def obtain() -> tuple[dict, str]:
            ticket, reprint = self.api.issue(queue_id, channel=channel, item_code=item_code, green=green,
                                             phone=phone, identity=identity)
            return ticket, "reprint" if reprint else "issued"
        self._bg(self._then_print(obtain), self._printed, self._issue_failed)

    def _then_print(self, obtain: Callable[[], tuple[dict, str]]) -> Callable[[], Any]:
        """A worker job: get the ticket and its kind from the server, show it at once, and print it
        on the same worker thread (no wait for the screen to be drawn). A reservation already
        checked in ("again") is shown, and printed only on request."""
        lang = self.flow.lang

        def work() -> tuple[dict, tuple[bool, str, str] | None]:
            ticket, ticket_kind = obtain()
            printing = ticket_kind != "again" and self.devices.printer is not None
            self.post(lambda: self._issued(ticket, ticket_kind, printing))
            return ticket, self._print_now(ticket, lang) if printing else None

        return work

    def _issued(self, ticket: dict, kind: str, printing: bool) -> None:
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

    def _print_now(self, ticket: dict, lang: str) -> tuple[bool, str, str]:
        """On a worker thread: (printed, Chinese reason, English reason)."""
        try:
            self.devices.printer.print_ticket(self.slip(ticket, lang))
            self.last_print_bytes_at = time.perf_counter()
            return True, "", ""
        except Exception as exc:  # PrinterError carries .health with the Chinese reason
            health = getattr(exc, "health", None)
            zh = getattr(health, "message_zh", "") or t("device.printer_failed", "zh")
            en = getattr(health, "message_en", "") or str(exc) or t("device.printer_failed", "en")
            log.warning("printing failed: %s", en)
            return False, zh, en

    def _printed(self, result: tuple[dict, tuple[bool, str, str] | None]) -> None:
        ticket, outcome = result
        session = self.flow.session
        if outcome is None or session.ticket is not ticket:
            return
        printed, zh, en = outcome
        session.print_state = "printed" if printed else "failed"
        session.print_reason = (zh, en)
        self.check_health_now()

    def _reprint(self, ticket: dict) -> None:
        self.flow.session.print_state = "printing"
        lang = self.flow.lang
        self._bg(lambda: (ticket, self._print_now(ticket, lang)), self._printed)

    def slip(self, ticket: dict, lang: str | None = None) -> Any:
        from hardware.printer import TicketSlip

        hall = self.hall or {}
        lang = lang or self.flow.lang
        queue = self.queue(ticket.get("queue"))
        phone_page = ticket.get("phone_url") or ticket.get("track_url")
        body = dict(ticket)
        body["track_url"] = phone_page
        footer = ()
        if hall.get("supervision_phone"):
            footer = (t("saver.supervision", lang, phone=hall["supervision_phone"]),)
        hall_name = hall.get("name_en") if lang == "en" and hall.get("name_en") else hall.get("name")
        return TicketSlip.from_ticket_json(
            body,
            hall_name=hall_name or ticket.get("hall_name") or self.config.hall,
            queue_name=queue_name(queue, lang) or ticket.get("queue_name") or ticket.get("queue") or "—",
            windows_text=windows_text(queue, self.window_names(), lang),
            server_base_url=self.config.server_url + "/",
            item_name=ticket.get("item_name"),
            masked_holder=ticket.get("holder"),
            footer_lines=footer,
            language="en" if lang == "en" else "zh",
            priority_green=ticket.get("priority") == "green",
        )

    def window_names(self) -> dict[str, str]:
        return self.windows

    def _issue_failed(self, error: ApiError) -> None:
        self.flow.busy = False
        if error.unreachable:
            self._failed(error)
            return
        if error.status == 409 and error.code not in ("identification_unavailable", "green_needs_identity"):
            self.refresh_now()
        self._show_message("msg.error_title", error)

    def _show_message(self, title: str, error: ApiError | None = None, body_key: str | None = None,
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

    def _failed(self, error: ApiError) -> None:
        self.flow.busy = False
        if error.unreachable:
            self.online = False
            self.refresh_now()
            self.flow.go(Screen.OFFLINE)
            return
        self._show_message("msg.error_title", error)

    def _do_ticket_done(self, _: Any) -> None:
        self.flow.home()

    def _do_ticket_reprint(self, _: Any) -> None:
        ticket = self.flow.session.ticket
        if ticket is not None and self.devices.printer is not None and self.flow.session.print_state != "printing":
            self._reprint(ticket)

    # keypad
    def _do_key(self, key: str) -> None:
        self.flow.key(str(key))

    def _do_keypad_ok(self, _: Any) -> None:
        session = self.flow.session
        text = session.keypad_text
        purpose = session.keypad_purpose
        if purpose == "checkin_code":
            if not CODE_RE.match(text):
                session.keypad_error = "checkin.code_invalid"
                return
            self._check_in(code=text)
        elif purpose == "checkin_id":
            if not is_valid_id_number(text):
                session.keypad_error = "checkin.id_invalid"
                return
            self._check_in(id_number=text)
        elif self.identity_keypad(purpose, text):
            pass
        elif purpose == "guide_code":
            session.search_terms = []
            session.guide_queue = None
            session.guide_items = search_items(self.items, [], text)
            self.flow.go(Screen.GUIDE_ITEMS)

    # check-in
    def _do_checkin_by_code(self, _: Any) -> None:
        self.flow.open_keypad("checkin_code")

    def _do_checkin_by_id(self, _: Any) -> None:
        self.flow.open_keypad("checkin_id")

    def _do_checkin_by_scan(self, _: Any) -> None:
        self._start_scan("checkin")

    def _check_in(self, *, code: str | None = None, id_number: str | None = None,
                  identity: str | None = None) -> None:
        self.flow.busy = True

        def obtain() -> tuple[dict, str]:
            ticket, created = self.api.check_in(code=code, id_number=id_number, identity=identity)
            return ticket, "checkin" if created else "again"
        self._bg(self._then_print(obtain), self._printed, self._checkin_failed)

    def _checkin_failed(self, error: ApiError) -> None:
        self.flow.busy = False
        if error.unreachable:
            self._failed(error)
        elif error.status == 404:
            self._show_message("checkin.refused", body_key="checkin.none_for_person" if self.flow.session.id_session
                               else "checkin.not_found", hint="")
        elif error.status == 422:
            self.flow.session.keypad_error = ("checkin.id_invalid" if self.flow.session.keypad_purpose == "checkin_id"
                                              else "checkin.code_invalid")
            if self.flow.screen is not Screen.KEYPAD:
                self._show_message("checkin.refused", body_key="checkin.qr_unknown", hint="")
        elif error.status == 409:
            title = {"reservation_cancelled": "checkin.cancelled",
                     "reservation_other_day": "checkin.not_today"}.get(error.code, "checkin.refused")
            self._show_message(title, error, hint="")
        else:
            self._show_message("checkin.refused", error)

    # scanning (reservation QR, slip QR, 鲁通码)
    def _start_scan(self, purpose: str) -> None:
        self.flow.session.scan_purpose = purpose
        self.flow.go(Screen.SCAN)
        for device in self.devices.qr_inputs():
            try:
                device.clear()
            except Exception:
                pass
        self._scan_generation += 1
        generation = self._scan_generation
        threading.Thread(target=self._scan_loop, args=(generation,), name="kiosk-scan", daemon=True).start()

    def _scan_loop(self, generation: int) -> None:
        deadline = time.monotonic() + max(self.config.timeouts.idle_s, 5) + 5
        while not self._stop.is_set() and generation == self._scan_generation and time.monotonic() < deadline:
            for device in self.devices.qr_inputs():
                try:
                    payload = device.poll()
                except Exception:
                    payload = None
                if payload:
                    self._thread_post(generation, lambda p=payload: self._scanned(p))
                    return
            time.sleep(0.15)

    def _scanned(self, payload: str) -> None:
        self._scan_generation += 1
        flow = self.flow
        if flow.screen is not Screen.SCAN:
            return
        self.touched()
        purpose = flow.session.scan_purpose
        if purpose == "checkin":
            code = checkin_code_from_qr(payload)
            if code is None:
                self._show_message("checkin.refused", body_key="checkin.qr_unknown", hint="")
                return
            self._check_in(code=code)
        elif purpose == "follow":
            self.flow.busy = True
            self._bg(lambda: self.api.track(payload), self._followed, self._follow_failed)
        elif purpose == "lutong":
            # Never parsed here: the raw text goes to the server's verifier.
            self._identify("lutong", {"qr": payload[:4096]})

    def _followed(self, body: dict) -> None:
        self.flow.busy = False
        self.flow.session.follow = body
        self.flow.replace(Screen.FOLLOW)

    def _follow_failed(self, error: ApiError) -> None:
        self.flow.busy = False
        if error.unreachable:
            self._failed(error)
        else:
            self._show_message("follow.title", body_key="follow.qr_unknown" if error.code == "not_found"
                               and error.message_zh == t("follow.qr_unknown", "zh") else "follow.not_found", hint="")

    def _do_scan_retry(self, _: Any) -> None:
        self._start_scan(self.flow.session.scan_purpose or "follow")

    # guides
    def _do_guide_queue(self, queue_id: str) -> None:
        session = self.flow.session
        session.guide_queue = queue_id
        session.search_terms = []
        session.guide_items = [i for i in self.items if i.get("queue") == queue_id]
        self.flow.go(Screen.GUIDE_ITEMS)

    def _do_guide_search(self, _: Any) -> None:
        self.flow.session.search_terms = []
        self.flow.go(Screen.GUIDE_SEARCH)

    def _do_guide_code(self, _: Any) -> None:
        self.flow.open_keypad("guide_code")

    def _do_word(self, word: str) -> None:
        terms = self.flow.session.search_terms
        if word in terms:
            terms.remove(word)
        else:
            terms.append(word)

    def _do_guide_results(self, _: Any) -> None:
        session = self.flow.session
        session.guide_queue = None
        session.guide_items = search_items(self.items, session.search_terms)
        self.flow.go(Screen.GUIDE_ITEMS)

    def _do_guide_item(self, code: str) -> None:
        item = next((i for i in self.items if i.get("code") == code), None)
        if item is not None:
            self.flow.session.guide_item = item
            self.flow.go(Screen.GUIDE)

    def _do_guide_take(self, _: Any) -> None:
        item = self.flow.session.guide_item
        if not item or not self.online:
            return
        if not hall_open(self.hall):
            self.flow.go(Screen.CLOSED)
            return
        if self.queue(item.get("queue")) is None:
            return
        self.flow.session.queue = item.get("queue")
        self.flow.session.item = item
        self.flow.session.green = False
        self.flow.go(Screen.CONFIRM)

    # -- for the views ---------------------------------------------------------------------------
    def search_count(self) -> int:
        return len(search_items(self.items, self.flow.session.search_terms))

    def now_local(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)

    def printer_problem(self) -> tuple[str, str] | None:
        health = self.device_health.get("printer")
        if health is not None and health.level is HealthLevel.ERROR:
            return health.message_zh, health.message_en
        return None
