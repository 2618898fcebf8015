"""Identification at the kiosk: from the way a citizen chose (鲁通码, social security card, ID card,
face, SMS code, typed number) to the server's identity session, and from that session to a ticket,
a check-in or the green channel. The kiosk only captures and forwards; the server decides who the
person is (docs/identity.md). What a device read or the citizen typed lives in `Session.identity`
only until the server answered, and is never logged.

`Identification` is composed into the controller, which hands it the visit (`Flow`), the server,
the devices, the background `Jobs`, the `DeviceWaits` and a `Desk`: the few things identification
asks of the rest of the kiosk. Its buttons are in `actions()`."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from hall_common.id_numbers import is_valid_id_number
from hall_common.vocabulary import Channel, IdentifyMethod

from .actions import Action
from .api import ApiClient, ApiError
from .devices import DeviceSet
from .flow import PHONE_RE, Context, Flow, Screen, Typed, channel_options, nocard_options
from .identity import RETYPE_CODES, TICKET_CHANNEL, encode_jpeg, face_fields, idcard_fields, sscard_fields
from .jobs import Jobs
from .replies import IdentitySession, SmsSent
from .strings import t
from .waits import DeviceWaits, Waiting

if TYPE_CHECKING:
    from hardware.camera import FaceCapture

log = logging.getLogger("kiosk.identify")

CARD_POLL_S = 0.3
NOCARD_KEYPADS = {"nocard.sms": "sms_phone", "nocard.id": "nocard_id"}  # where each no-card way starts
FACE_LIMIT_S = 40.0  # then the kiosk suggests another way: a face that will not pass should not trap anyone


class Desk(Protocol):
    """What identification asks of the rest of the kiosk (kiosk.controller.Controller)."""

    def context(self) -> Context: ...

    def issue(self, channel: Channel) -> None:
        """Take a ticket in the chosen queue with the visit's identity session."""

    def check_in(self, *, identity: str) -> None:
        """Check in the person's reservation with an identity session."""

    def start_scan(self, purpose: str) -> None: ...

    def open_green_queues(self) -> None:
        """The person qualifies for the green channel: on to the queues."""

    def show_message(self, title: str, error: ApiError | None = None, body_key: str | None = None,
                     hint: str = "msg.try_later") -> None: ...

    def failed(self, error: ApiError) -> None:
        """A request that failed for a reason that is not identification's (the server unreachable)."""

    def check_health_now(self) -> None: ...


class CardUnusable(Exception):
    """A reader answered without the fields a request needs: a failed read for the citizen."""


class NoCamera(Exception):
    pass


class Identification:
    def __init__(self, *, flow: Flow, api: ApiClient, devices: DeviceSet, jobs: Jobs, waits: DeviceWaits,
                 desk: Desk, clock: Callable[[], float], card_wait_s: float) -> None:
        self.flow = flow
        self.api = api
        self.devices = devices
        self.jobs = jobs
        self.waits = waits
        self.desk = desk
        self.clock = clock
        self.card_wait_s = card_wait_s
        self._face_capture: FaceCapture | None = None

    def actions(self) -> dict[Action, Callable[[], None]]:
        """Identification's buttons (without an argument) and what each does."""
        return {
            Action.CHECKIN_BY_IDENTITY: self.for_checkin,
            Action.GREEN_IDENTIFY: self.for_green,
            Action.NOCARD_SMS: self.nocard_sms,
            Action.NOCARD_ID: self.nocard_id,
            Action.CONSENT_AGREE: self.consent_agree,
            Action.CONSENT_DECLINE: self.consent_decline,
            Action.SMS_RESEND: self.sms_resend,
            Action.ID_DEMO_PRESENT: self.demo_present,
            Action.IDENTIFIED_TAKE: self.issue_identified,
            Action.IDENTIFIED_CHECKIN: self.identified_checkin,
        }

    # -- where identification starts -----------------------------------------------------------------
    def identify(self, channel: str) -> None:
        """A way's button (鲁通码, 社保卡, 身份证, 刷脸, 无卡) on a confirm or ways screen."""
        options = {o.key: o for o in channel_options(self.desk.context())}
        option = options.get(f"id.{channel}")
        if option is None or not option.enabled:
            return
        session = self.flow.session
        session.identify_channel = channel
        session.identity = None
        session.id_session = None
        if channel == "nocard":
            ways = nocard_options(self.desk.context())
            if len(ways) == 1:
                self.flow.open_keypad(NOCARD_KEYPADS[ways[0].key])
            else:
                self.flow.go(Screen.NOCARD)
        elif channel == "lutong":
            self.desk.start_scan("lutong")
        elif channel == "face":
            self.flow.go(Screen.CONSENT)
        else:
            session.id_advice = ("", "")
            self.flow.go(Screen.IDENTIFY)
            self._start_card_wait(channel)

    def for_checkin(self) -> None:
        self.flow.session.id_purpose = "checkin"
        self.flow.go(Screen.WAYS)

    def for_green(self) -> None:
        self.flow.session.id_purpose = "green"
        self.flow.go(Screen.WAYS)

    def nocard_sms(self) -> None:
        self.flow.open_keypad(NOCARD_KEYPADS["nocard.sms"])

    def nocard_id(self) -> None:
        self.flow.open_keypad(NOCARD_KEYPADS["nocard.id"])

    def consent_agree(self) -> None:
        self.flow.open_keypad("face_id")

    def consent_decline(self) -> None:
        self.flow.back()

    # -- what the citizen typed ------------------------------------------------------------------------
    def keypad_ok(self, purpose: str, text: str) -> bool:
        """The keypad's OK for an identification purpose; False when the purpose is not one."""
        session = self.flow.session
        if purpose == "nocard_id":
            if not is_valid_id_number(text):
                session.keypad_error = "checkin.id_invalid"
            else:
                session.identity = Typed(id_number=text)
                self.flow.open_keypad("nocard_phone")
        elif purpose == "nocard_phone":
            if text and not PHONE_RE.match(text):
                session.keypad_error = "id.phone_invalid"
            else:
                identity = session.identity or Typed()
                if text:
                    session.identity = dataclasses.replace(identity, phone=text)
                self._identify(IdentifyMethod.ID_NUMBER, {"id_number": identity.id_number})
        elif purpose == "face_id":
            if not is_valid_id_number(text):
                session.keypad_error = "checkin.id_invalid"
            else:
                session.identity = Typed(id_number=text)
                self._start_face()
        elif purpose == "sms_phone":
            if not PHONE_RE.match(text):
                session.keypad_error = "id.phone_invalid"
            else:
                session.identity = Typed(phone=text)
                self._send_sms_code(text)
        elif purpose == "sms_code":
            if len(text) != 6 or not text.isdigit():
                session.keypad_error = "id.sms.code_invalid"
            else:
                self._identify(IdentifyMethod.SMS, {"phone": (session.identity or Typed()).phone, "code": text})
        else:
            return False
        return True

    def scanned_lutong(self, payload: str) -> None:
        # Never parsed here: the raw text goes to the server's verifier.
        self._identify(IdentifyMethod.LUTONG, {"qr": payload[:4096]})

    def _send_sms_code(self, phone: str) -> None:
        self.flow.busy = True

        def sent(answer: SmsSent) -> None:
            self.flow.busy = False
            self.flow.open_keypad("sms_code")
            self.flow.session.keypad_note = (t("id.sms.sent", "zh", phone=answer.phone),
                                             t("id.sms.sent", "en", phone=answer.phone))

        self.jobs.run(lambda: self.api.send_sms_code(phone), sent, self._identify_failed)

    def sms_resend(self) -> None:
        phone = (self.flow.session.identity or Typed()).phone
        if phone:
            self._send_sms_code(phone)  # the code keypad opens again, empty, once it is sent

    # -- cards ------------------------------------------------------------------------------------------
    def _start_card_wait(self, channel: str) -> None:
        from hardware.cards.errors import CardRemovedError, NoCardError

        social = channel == "card"
        reader = self.devices.card_reader if social else self.devices.idcard_reader

        def read_once(_: Waiting) -> tuple[IdentifyMethod, dict[str, Any]] | None:
            try:
                card = reader.read_card() if social else reader.poll_once()
            except (NoCardError, CardRemovedError):
                return None
            if card is None:
                return None
            try:
                return ((IdentifyMethod.SSCARD, sscard_fields(card)) if social
                        else (IdentifyMethod.IDCARD, idcard_fields(card)))
            except Exception as exc:
                raise CardUnusable(exc.__class__.__name__) from exc

        self.waits.start("card", read_once, seconds=self.card_wait_s, every=CARD_POLL_S,
                         found=lambda read: self._card_read(*read), timed_out=self._card_wait_over,
                         failed=self._card_failed)

    def _card_read(self, method: IdentifyMethod, fields: dict[str, Any]) -> None:
        self.flow.touch(self.clock())
        self.flow.session.identity = Typed(id_number=str(fields.get("id_number", "")))
        self._identify(method, fields)

    def _card_wait_over(self) -> None:
        self._device_failed(t("id.card_wait_over", "zh"), t("id.card_wait_over", "en"))

    def _card_failed(self, exc: Exception) -> None:
        if isinstance(exc, CardUnusable):  # a reader's answer without the fields: a failed read
            log.info("card data unusable: %s", exc)
            self._card_wait_over()
            return
        # The reader's own words (CardError.health) for the citizen.
        health = getattr(exc, "health", None)
        zh = getattr(health, "message_zh", "") or t("device.unknown", "zh")
        en = getattr(health, "message_en", "") or t("device.unknown", "en")
        log.info("card read failed: %s", exc.__class__.__name__)
        self._device_failed(zh, en)
        self.desk.check_health_now()

    def _device_failed(self, zh: str, en: str) -> None:
        session = self.flow.session
        session.message_title = "id.failed_title"
        session.message_body = (zh, en)
        session.message_hint = "id.other_way"
        self.flow.go(Screen.MESSAGE)

    def demo_present(self) -> None:
        """Simulated readers only (demos): lay the sample card on the reader."""
        channel = self.flow.session.identify_channel
        reader = self.devices.card_reader if channel == "card" else self.devices.idcard_reader
        if self.simulated(channel) and reader is not None:
            reader.present_card()

    def simulated(self, channel: str) -> bool:
        from hardware.cards import SimCardReader, SimIdCardReader

        reader = {"card": self.devices.card_reader, "idcard": self.devices.idcard_reader}.get(channel)
        return isinstance(reader, (SimCardReader, SimIdCardReader))

    # -- face -------------------------------------------------------------------------------------------
    def _start_face(self) -> None:
        session = self.flow.session
        session.id_advice = (t("id.face.starting", "zh"), t("id.face.starting", "en"))
        self.flow.go(Screen.IDENTIFY)
        watch = FaceWatch(getattr(self.devices.camera, "grabber", None), self._capture,
                          (session.identity or Typed()).id_number, self.flow)
        self.waits.start("face", watch, seconds=FACE_LIMIT_S, every=0, found=self._face_taken,
                         timed_out=self._face_wait_over, failed=self._face_failed, finally_=watch.reset)

    def _capture(self) -> FaceCapture:
        """One FaceCapture for the kiosk's life, made on the face wait's thread (it loads models)."""
        from hardware.camera import FaceCapture

        if self._face_capture is None:
            self._face_capture = FaceCapture()
        return self._face_capture

    def _face_taken(self, fields: dict[str, Any]) -> None:
        self.flow.session.id_advice = (t("id.checking", "zh"), t("id.checking", "en"))
        self._identify(IdentifyMethod.FACE, fields)

    def _face_wait_over(self) -> None:
        self._device_failed(t("id.face.wait_over", "zh"), t("id.face.wait_over", "en"))

    def _face_failed(self, exc: Exception) -> None:
        if not isinstance(exc, NoCamera):
            log.warning("face capture failed: %s", exc.__class__.__name__)
        self._device_failed(t("reason.no_camera", "zh"), t("reason.no_camera", "en"))

    # -- the server's answer -----------------------------------------------------------------------------
    def _identify(self, method: IdentifyMethod, fields: dict[str, Any]) -> None:
        self.flow.busy = True
        self.jobs.run(lambda: self.api.identify(method, fields), self._identified, self._identify_failed)

    def _identified(self, identity: IdentitySession) -> None:
        self.flow.busy = False
        session = self.flow.session
        session.id_session = identity
        purpose = session.id_purpose
        if purpose == "checkin":
            self.desk.check_in(identity=identity.token)
        elif purpose == "green":
            if identity.green:
                session.green = True
                self.desk.open_green_queues()
            else:
                session.id_session = None
                self.desk.show_message("green.not_eligible_title", body_key="green.not_eligible", hint="")
        elif identity.open_reservations:
            self.flow.go(Screen.IDENTIFIED)
        else:
            self.issue_identified()

    def issue_identified(self) -> None:
        self.desk.issue(TICKET_CHANNEL.get(self.flow.session.identify_channel, Channel.WALKIN))

    def identified_checkin(self) -> None:
        identity = self.flow.session.id_session
        if identity is not None:
            self.desk.check_in(identity=identity.token)

    def _identify_failed(self, error: ApiError) -> None:
        self.flow.busy = False
        session = self.flow.session
        if error.unreachable:
            self.desk.failed(error)
            return
        if error.code in RETYPE_CODES and self.flow.screen is Screen.KEYPAD:
            session.keypad_text = ""
            session.keypad_error = ""
            session.keypad_error_text = (error.message_zh, error.message_en or error.message_zh)
            return
        self.desk.show_message("msg.error_title" if error.status >= 500 else "id.failed_title", error,
                               hint="id.other_way")


class FaceWatch:
    """One poll of the face wait: the next camera frame into `FaceCapture`, its advice to the
    screen while it changes, the identify fields once a good live face is taken."""

    def __init__(self, grabber: Any, capture: Callable[[], FaceCapture], id_number: str, flow: Flow) -> None:
        self.grabber = grabber
        self._get_capture = capture
        self.capture: FaceCapture | None = None
        self.id_number = id_number
        self.flow = flow
        self.seq = 0
        self.advice = ("", "")

    def reset(self) -> None:
        if self.capture is not None:
            self.capture.reset()

    def __call__(self, waiting: Waiting) -> dict[str, Any] | None:
        if self.grabber is None:
            raise NoCamera()
        if self.capture is None:
            self.capture = self._get_capture()
            self.capture.reset()
        frame = self.grabber.wait_for_frame(0.5, after_seq=self.seq)
        if frame is None:
            return None
        self.seq = frame.seq
        try:
            step = self.capture.feed(frame)
        except Exception as exc:  # a frame the detector cannot take is "no face", not a crash
            log.info("face frame skipped: %s", exc.__class__.__name__)
            return None
        if step.done and step.image is not None:
            try:
                fields = face_fields(self.id_number, encode_jpeg(step.image))
            except Exception as exc:
                log.info("face image not encoded: %s", exc.__class__.__name__)
                return None
            self.capture.reset()
            return fields
        if (step.message_zh, step.message_en) != self.advice:
            advice = self.advice = (step.message_zh, step.message_en)
            waiting.post(lambda: setattr(self.flow.session, "id_advice", advice))
        return None
