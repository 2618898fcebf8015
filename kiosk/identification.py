"""The identification part of the kiosk's controller (mixed into kiosk.controller.Controller):
from the way a citizen chose (鲁通码, social security card, ID card, face, SMS code, typed number)
to the server's identity session, and from that session to a ticket, a check-in or the green
channel. The kiosk only captures and forwards; the server decides who the person is
(docs/identity.md). What a device read or the citizen typed lives in `Session.identity` only until
the server answered, and is never logged.

Device waits (cards, face) run on their own thread like the QR scan loop, stopped by the same
generation counter when the citizen leaves the screen."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from hall_common.id_numbers import is_valid_id_number

from .api import ApiError
from .flow import PHONE_RE, Screen, channel_options, nocard_options
from .identity import (
    RETYPE_CODES,
    TICKET_CHANNEL,
    IdentitySession,
    encode_jpeg,
    face_fields,
    idcard_fields,
    read_session,
    sscard_fields,
)
from .strings import t

if TYPE_CHECKING:
    from .controller import Controller

log = logging.getLogger("kiosk.identify")

CARD_POLL_S = 0.3
NOCARD_KEYPADS = {"nocard.sms": "sms_phone", "nocard.id": "nocard_id"}  # where each no-card way starts
FACE_LIMIT_S = 40.0  # then the kiosk suggests another way: a face that will not pass should not trap anyone


class IdentificationMixin:
    """Needs the Controller's flow, api, devices, _bg, _issue, _check_in, _start_scan and
    _show_message; see kiosk/controller.py."""

    _face_capture: Any = None

    # -- where identification starts -----------------------------------------------------------------
    def _do_identify(self: "Controller", channel: str) -> None:
        options = {o.key: o for o in channel_options(self.context())}
        option = options.get(f"id.{channel}")
        if option is None or not option.enabled:
            return
        session = self.flow.session
        session.identify_channel = channel
        session.identity = None
        session.id_session = None
        if channel == "nocard":
            ways = nocard_options(self.context())
            if len(ways) == 1:
                self.flow.open_keypad(NOCARD_KEYPADS[ways[0].key])
            else:
                self.flow.go(Screen.NOCARD)
        elif channel == "lutong":
            self._start_scan("lutong")
        elif channel == "face":
            self.flow.go(Screen.CONSENT)
        else:
            session.id_advice = ("", "")
            self.flow.go(Screen.IDENTIFY)
            self._start_card_wait(channel)

    def _do_checkin_by_identity(self: "Controller", _: Any) -> None:
        self.flow.session.id_purpose = "checkin"
        self.flow.go(Screen.WAYS)

    def _do_green_identify(self: "Controller", _: Any) -> None:
        self.flow.session.id_purpose = "green"
        self.flow.go(Screen.WAYS)

    def _do_nocard_sms(self: "Controller", _: Any) -> None:
        self.flow.open_keypad(NOCARD_KEYPADS["nocard.sms"])

    def _do_nocard_id(self: "Controller", _: Any) -> None:
        self.flow.open_keypad(NOCARD_KEYPADS["nocard.id"])

    def _do_consent_agree(self: "Controller", _: Any) -> None:
        self.flow.open_keypad("face_id")

    def _do_consent_decline(self: "Controller", _: Any) -> None:
        self.flow.back()

    # -- what the citizen typed ------------------------------------------------------------------------
    def identity_keypad(self: "Controller", purpose: str, text: str) -> bool:
        """The keypad's OK for an identification purpose; False when the purpose is not one."""
        session = self.flow.session
        if purpose == "nocard_id":
            if not is_valid_id_number(text):
                session.keypad_error = "checkin.id_invalid"
            else:
                session.identity = {"id_number": text}
                self.flow.open_keypad("nocard_phone")
        elif purpose == "nocard_phone":
            if text and not PHONE_RE.match(text):
                session.keypad_error = "id.phone_invalid"
            else:
                identity = session.identity or {}
                if text:
                    session.identity = {**identity, "phone": text}
                self._identify("id_number", {"id_number": identity.get("id_number", "")})
        elif purpose == "face_id":
            if not is_valid_id_number(text):
                session.keypad_error = "checkin.id_invalid"
            else:
                session.identity = {"id_number": text}
                self._start_face()
        elif purpose == "sms_phone":
            if not PHONE_RE.match(text):
                session.keypad_error = "id.phone_invalid"
            else:
                session.identity = {"phone": text}
                self._send_sms_code(text)
        elif purpose == "sms_code":
            if len(text) != 6 or not text.isdigit():
                session.keypad_error = "id.sms.code_invalid"
            else:
                self._identify("sms", {"phone": (session.identity or {}).get("phone", ""), "code": text})
        else:
            return False
        return True

    def _send_sms_code(self: "Controller", phone: str) -> None:
        self.flow.busy = True

        def sent(answer: dict) -> None:
            self.flow.busy = False
            masked = str(answer.get("phone") or "")[:20]
            self.flow.open_keypad("sms_code")
            self.flow.session.keypad_note = (t("id.sms.sent", "zh", phone=masked), t("id.sms.sent", "en", phone=masked))

        self._bg(lambda: self.api.send_sms_code(phone), sent, self._identify_failed)

    def _do_sms_resend(self: "Controller", _: Any) -> None:
        phone = (self.flow.session.identity or {}).get("phone")
        if phone:
            self._send_sms_code(phone)  # the code keypad opens again, empty, once it is sent

    # -- devices ---------------------------------------------------------------------------------------
    def _thread_post(self: "Controller", generation: int, fn: Callable[[], None]) -> None:
        """From a device thread: run `fn` on the UI thread unless the citizen left the screen."""
        with self._pending_lock:
            self._pending += 1

        def deliver() -> None:
            with self._pending_lock:
                self._pending -= 1
            if generation == self._scan_generation:
                fn()
                self.render()
        self.post(deliver)

    def _start_card_wait(self: "Controller", channel: str) -> None:
        self._scan_generation += 1
        threading.Thread(target=self._card_loop, args=(self._scan_generation, channel), name="kiosk-card",
                         daemon=True).start()

    def _card_loop(self: "Controller", generation: int, channel: str) -> None:
        from hardware.cards.errors import CardRemovedError, NoCardError

        reader = self.devices.card_reader if channel == "card" else self.devices.idcard_reader
        deadline = time.monotonic() + max(self.config.timeouts.idle_s, 5)
        while not self._stop.is_set() and generation == self._scan_generation and time.monotonic() < deadline:
            try:
                card = reader.read_card() if channel == "card" else reader.poll_once()
            except (NoCardError, CardRemovedError):
                card = None
            except Exception as exc:  # the reader's own words (CardError.health) for the citizen
                health = getattr(exc, "health", None)
                zh = getattr(health, "message_zh", "") or t("device.unknown", "zh")
                en = getattr(health, "message_en", "") or t("device.unknown", "en")
                log.info("card read failed: %s", exc.__class__.__name__)
                self._thread_post(generation, lambda: self._device_failed(zh, en))
                self.check_health_now()
                return
            if card is not None:
                try:
                    method, fields = ("sscard", sscard_fields(card)) if channel == "card" else ("idcard", idcard_fields(card))
                except Exception as exc:  # a reader's answer without the fields: a failed read
                    log.info("card data unusable: %s", exc.__class__.__name__)
                    self._thread_post(generation, lambda: self._device_failed(t("id.card_wait_over", "zh"),
                                                                              t("id.card_wait_over", "en")))
                    return
                self._thread_post(generation, lambda: self._card_read(method, fields))
                return
            time.sleep(CARD_POLL_S)
        if generation == self._scan_generation and not self._stop.is_set():
            self._thread_post(generation, lambda: self._device_failed(t("id.card_wait_over", "zh"),
                                                                      t("id.card_wait_over", "en")))

    def _card_read(self: "Controller", method: str, fields: dict) -> None:
        self._scan_generation += 1
        self.touched()
        self.flow.session.identity = {"id_number": fields.get("id_number", "")}
        self._identify(method, fields)

    def _device_failed(self: "Controller", zh: str, en: str) -> None:
        self._scan_generation += 1
        session = self.flow.session
        session.message_title = "id.failed_title"
        session.message_body = (zh, en)
        session.message_hint = "id.other_way"
        self.flow.go(Screen.MESSAGE)

    def _do_id_demo_present(self: "Controller", _: Any) -> None:
        """Simulated readers only (demos): lay the sample card on the reader."""
        channel = self.flow.session.identify_channel
        reader = self.devices.card_reader if channel == "card" else self.devices.idcard_reader
        if self.simulated(channel) and reader is not None:
            reader.present_card()

    def simulated(self: "Controller", channel: str) -> bool:
        from hardware.cards import SimCardReader, SimIdCardReader

        reader = {"card": self.devices.card_reader, "idcard": self.devices.idcard_reader}.get(channel)
        return isinstance(reader, (SimCardReader, SimIdCardReader))

    # face
    def _start_face(self: "Controller") -> None:
        session = self.flow.session
        session.id_advice = (t("id.face.starting", "zh"), t("id.face.starting", "en"))
        self.flow.go(Screen.IDENTIFY)
        self._scan_generation += 1
        threading.Thread(target=self._face_loop, args=(self._scan_generation, (session.identity or {}).get("id_number", "")),
                         name="kiosk-face", daemon=True).start()

    def _face_loop(self: "Controller", generation: int, id_number: str) -> None:
        from hardware.camera.capture import FaceCapture

        grabber = getattr(self.devices.camera, "grabber", None)
        if grabber is None:
            self._thread_post(generation, lambda: self._device_failed(t("reason.no_camera", "zh"), t("reason.no_camera", "en")))
            return
        if self._face_capture is None:
            self._face_capture = FaceCapture()
        capture = self._face_capture
        capture.reset()
        deadline = time.monotonic() + FACE_LIMIT_S
        seq = 0
        advice = ("", "")
        while not self._stop.is_set() and generation == self._scan_generation and time.monotonic() < deadline:
            frame = grabber.wait_for_frame(0.5, after_seq=seq)
            if frame is None:
                continue
            seq = frame.seq
            try:
                step = capture.feed(frame)
            except Exception as exc:  # a frame the detector cannot take is "no face", not a crash
                log.info("face frame skipped: %s", exc.__class__.__name__)
                continue
            if step.done and step.image is not None:
                try:
                    fields = face_fields(id_number, encode_jpeg(step.image))
                except Exception as exc:
                    log.info("face image not encoded: %s", exc.__class__.__name__)
                    continue
                capture.reset()
                self._thread_post(generation, lambda: self._face_taken(fields))
                return
            if (step.message_zh, step.message_en) != advice:
                advice = (step.message_zh, step.message_en)
                self._thread_post(generation, lambda a=advice: setattr(self.flow.session, "id_advice", a))
        capture.reset()
        if generation == self._scan_generation and not self._stop.is_set():
            self._thread_post(generation, lambda: self._device_failed(t("id.face.wait_over", "zh"),
                                                                      t("id.face.wait_over", "en")))

    def _face_taken(self: "Controller", fields: dict) -> None:
        self._scan_generation += 1
        self.flow.session.id_advice = (t("id.checking", "zh"), t("id.checking", "en"))
        self._identify("face", fields)

    # -- the server's answer -----------------------------------------------------------------------------
    def _identify(self: "Controller", method: str, fields: dict) -> None:
        self.flow.busy = True
        self._bg(lambda: self.api.identify(method, fields), self._identified, self._identify_failed)

    def _identified(self: "Controller", body: dict) -> None:
        self.flow.busy = False
        session = self.flow.session
        identity = read_session(body)
        if identity is None:
            self._show_message("id.failed_title", body_key="msg.server_error", hint="id.other_way")
            return
        session.id_session = identity
        purpose = session.id_purpose
        if purpose == "checkin":
            self._check_in(identity=identity.token)
        elif purpose == "green":
            if identity.green:
                session.green = True
                self.flow.history.clear()
                self.flow.history.append(Screen.HOME)
                self.flow.replace(Screen.QUEUES)
                self._refresh_queues()
            else:
                session.id_session = None
                self._show_message("green.not_eligible_title", body_key="green.not_eligible", hint="")
        elif identity.open_reservations:
            self.flow.go(Screen.IDENTIFIED)
        else:
            self._issue_identified()

    def _issue_identified(self: "Controller") -> None:
        session = self.flow.session
        self._issue(TICKET_CHANNEL.get(session.identify_channel, "walkin"))

    def _do_identified_take(self: "Controller", _: Any) -> None:
        self._issue_identified()

    def _do_identified_checkin(self: "Controller", _: Any) -> None:
        identity: IdentitySession | None = self.flow.session.id_session
        if identity is not None:
            self._check_in(identity=identity.token)

    def _identify_failed(self: "Controller", error: ApiError) -> None:
        self.flow.busy = False
        session = self.flow.session
        if error.unreachable:
            self._failed(error)
            return
        if error.code in RETYPE_CODES and self.flow.screen is Screen.KEYPAD:
            session.keypad_text = ""
            session.keypad_error = ""
            session.keypad_error_text = (error.message_zh, error.message_en or error.message_zh)
            return
        self._show_message("msg.error_title" if error.status >= 500 else "id.failed_title", error, hint="id.other_way")
