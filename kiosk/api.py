"""The queue server as the kiosk sees it: a small synchronous httpx client (called from worker
threads, never from the UI loop) with timeouts, retries of safe reads, and every failure turned
into one ApiError that carries a Chinese and an English message for the citizen. Replies are read
here, at the edge, into the typed objects of kiosk.replies; one that is not what the API says is an
ApiError("bad_response"), never a crash further in."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urljoin, urlsplit

import httpx

from hall_common.vocabulary import Channel, ErrorCode, IdentifyMethod, Priority

from .replies import (
    ErrorReply,
    Evaluated,
    EvaluationTicket,
    Followed,
    HallInfo,
    IdentitySession,
    Item,
    QueueInfo,
    ReplyError,
    SmsSent,
    Ticket,
    WindowInfo,
    parse_list,
)
from .strings import t

R = TypeVar("R")

USER_AGENT = "shandong-hall-kiosk/0.1"
# Server errors with status 503 whose message is for the citizen (docs/identity.md).
CITIZEN_503 = frozenset({ErrorCode.VERIFIER_UNAVAILABLE})


@dataclass
class ApiError(Exception):
    """kind: "offline" (no connection), "timeout", "http" (the server answered an error),
    "bad_response" (an answer that is not what the contract says)."""

    kind: str
    status: int = 0
    code: str = ""
    message_zh: str = ""
    message_en: str = ""

    def __str__(self) -> str:  # for logs: never carries the request body
        return f"{self.kind} {self.status} {self.code} {self.message_en}".strip()

    @property
    def unreachable(self) -> bool:
        # A 503 naming an identity verifier is the server answering: only that verifier is down.
        return self.kind in ("offline", "timeout") or (self.status in (502, 503, 504)
                                                       and self.code not in CITIZEN_503)

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" and self.message_en else self.message_zh


def _offline(kind: str) -> ApiError:
    key = "msg.timeout" if kind == "timeout" else "msg.offline_title"
    return ApiError(kind, message_zh=t(key, "zh"), message_en=t(key, "en"))


def _from_response(response: httpx.Response) -> ApiError:
    body: Any = None
    try:
        body = response.json()
    except ValueError:
        pass
    status = response.status_code
    generic = {401: "msg.unauthorized", 403: "msg.unauthorized", 404: "msg.not_found"}.get(
        status, "msg.server_error" if status >= 500 else "msg.rejected")
    reply = ErrorReply.from_json(body)
    code, message_zh, message_en = str(reply.code), reply.message_zh, reply.message
    if status in (401, 403) or (status >= 500 and code not in CITIZEN_503):
        # The server's own words for auth and internal errors are for technicians, not citizens.
        message_zh, message_en = t(generic, "zh"), t(generic, "en")
    elif not message_zh:
        message_zh, message_en = t(generic, "zh"), message_en or t(generic, "en")
    return ApiError("http", status, code, message_zh, message_en)


class ApiClient:
    def __init__(self, server_url: str, hall: str, token: str, *, connect_s: float = 3.0,
                 read_s: float = 6.0, retries: int = 1, transport: httpx.BaseTransport | None = None):
        self.server_url = server_url.rstrip("/")
        self.hall = hall
        self.retries = retries
        self._client = httpx.Client(
            base_url=self.server_url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(read_s, connect=connect_s),
            transport=transport,
        )
        self._hall_path = f"/api/v1/halls/{quote(hall, safe='')}"

    def close(self) -> None:
        self._client.close()

    # -- plumbing ------------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None,
                 retry: bool = False, auth: bool = True) -> tuple[int, Any]:
        attempts = 1 + (self.retries if retry else 0)
        last: ApiError | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(min(0.3 * attempt, 1.0))
            try:
                headers = None if auth else {"Authorization": ""}
                response = self._client.request(method, path, json=json, params=params, headers=headers)
            except httpx.TimeoutException:
                last = _offline("timeout")
                continue
            except (httpx.TransportError, OSError):
                last = _offline("offline")
                continue
            if response.status_code >= 400:
                error = _from_response(response)
                if retry and response.status_code in (502, 503, 504):
                    last = error
                    continue
                raise error
            if response.status_code == 204 or not response.content:
                return response.status_code, None
            try:
                return response.status_code, response.json()
            except ValueError:
                raise ApiError("bad_response", response.status_code, "",
                               t("msg.server_error", "zh"), t("msg.server_error", "en")) from None
        assert last is not None
        raise last

    @staticmethod
    def _read(value: Any, parse: Callable[[Any], R], what: str) -> R:
        try:
            return parse(value)
        except ReplyError as exc:
            raise ApiError("bad_response", 0, "", t("msg.server_error", "zh"), f"{what}: {exc}") from None

    def _get(self, path: str, parse: Callable[[Any], R], what: str, *, params: dict[str, str] | None = None,
             auth: bool = True) -> R:
        """A read: retried, then checked."""
        return self._read(self._request("GET", path, params=params, retry=True, auth=auth)[1], parse, what)

    # -- the contract the kiosk uses ----------------------------------------------------------
    def healthz(self) -> None:
        self._request("GET", "/healthz", retry=True, auth=False)

    def hall_info(self) -> HallInfo:
        return self._get(self._hall_path, HallInfo.from_json, "hall")

    def queues(self) -> list[QueueInfo]:
        return self._get(f"{self._hall_path}/queues", lambda raw: parse_list(raw, QueueInfo.from_json, "queues"),
                         "queues")

    def windows(self) -> list[WindowInfo]:
        return self._get(f"{self._hall_path}/windows", lambda raw: parse_list(raw, WindowInfo.from_json, "windows"),
                         "windows")

    def items(self, q: str | None = None, queue: str | None = None) -> list[Item]:
        params = {k: v for k, v in (("q", q), ("queue", queue)) if v}
        return self._get(f"{self._hall_path}/items", lambda raw: parse_list(raw, Item.from_json, "items"), "items",
                         params=params or None)

    def issue(self, queue: str, *, channel: Channel = Channel.WALKIN, item_code: str | None = None,
              green: bool = False, phone: str | None = None, identity: str | None = None) -> Ticket:
        """The new ticket; its `reprint` is True when an identified person already waited in this
        queue and the server answered with that ticket again (200)."""
        body: dict[str, Any] = {"queue": queue, "channel": str(channel)}
        if identity:
            body["identity"] = identity
        if item_code:
            body["item_code"] = item_code
        if green:
            body["priority"] = str(Priority.GREEN)
        if phone:
            body["phone"] = phone
        # Never retried: a lost answer to a POST could otherwise issue two tickets.
        status, answer = self._request("POST", f"{self._hall_path}/tickets", json=body)
        ticket = self._read(answer, Ticket.from_json, "ticket")
        return ticket if status == 200 else dataclasses.replace(ticket, reprint=False)

    def check_in(self, *, code: str | None = None, id_number: str | None = None,
                 identity: str | None = None) -> tuple[Ticket, bool]:
        """→ (ticket, created): created is False when the reservation was already checked in."""
        body = {"code": code} if code else ({"identity": identity} if identity else {"id_number": id_number})
        status, answer = self._request("POST", f"{self._hall_path}/reservations/check-in", json=body)
        return self._read(answer, Ticket.from_json, "check-in"), status == 201

    def identify(self, method: IdentifyMethod, fields: dict[str, Any]) -> IdentitySession:
        """One identification step (docs/identity.md): what a device read or the citizen typed →
        a single-use identity session with masked data only. Never retried (an SMS code or a
        鲁通码 is good once)."""
        body = {**fields, "method": str(method)}
        return self._read(self._request("POST", f"{self._hall_path}/identify", json=body)[1],
                          IdentitySession.from_json, "identify")

    def send_sms_code(self, phone: str) -> SmsSent:
        return self._read(self._request("POST", f"{self._hall_path}/identify/sms-code", json={"phone": phone})[1],
                          SmsSent.from_json, "sms-code")

    def track(self, url: str) -> Followed:
        """A ticket followed by its track URL (relative or absolute, on this server only)."""
        path = track_path(url, self.server_url)
        if path is None:
            raise ApiError("http", 404, ErrorCode.NOT_FOUND, t("follow.qr_unknown", "zh"),
                           t("follow.qr_unknown", "en"))
        return self._get(path, Followed.from_json, "track", auth=False)

    def evaluation_ticket(self, *, link: str | None = None, number: str | None = None) -> EvaluationTicket:
        """好差评: the ticket to evaluate, by the slip's QR payload (`link`) or today's number."""
        params = {"link": link} if link is not None else {"number": number or ""}
        return self._get(f"{self._hall_path}/evaluations/ticket", EvaluationTicket.from_json, "evaluation ticket",
                         params=params)

    def evaluate(self, body: dict[str, Any]) -> Evaluated:
        """One evaluation (`link` or `number`, `level`, `reasons`, `text`, `followup`). Never
        retried: a second one would be refused as already given, and the citizen would read that."""
        return self._read(self._request("POST", f"{self._hall_path}/evaluations", json=body)[1], Evaluated.from_json,
                          "evaluation")

    def report_health(self, components: list[dict[str, str]], app: dict[str, str]) -> None:
        self._request("POST", f"{self._hall_path}/devices/health", json={"components": components, "app": app})

    def absolute(self, url: str | None) -> str | None:
        if not url:
            return None
        return urljoin(self.server_url + "/", url)


def track_path(scanned: str, server_url: str = "") -> str | None:
    """The track API path for what a slip's QR code holds: the track URL or the phone page URL
    (`/t/{id}?k=…`), absolute on this server or relative. Anything else: None."""
    text = scanned.strip()
    if len(text) > 1000:
        return None
    parts = urlsplit(text)
    # The slip may carry the hall's public address rather than the kiosk's LAN address of the same
    # server: any http(s) host is accepted, the ticket's secret `k` is what protects it.
    if parts.scheme not in ("", "http", "https") or (parts.netloc and not parts.scheme):
        return None
    segments = [s for s in parts.path.split("/") if s]
    ticket_id = None
    if len(segments) >= 2 and segments[-2] == "t":
        ticket_id = segments[-1]
    elif len(segments) >= 2 and segments[-2] == "track":
        ticket_id = segments[-1]
    if not ticket_id or not ticket_id.replace("-", "").replace("_", "").isalnum() or len(ticket_id) > 64:
        return None
    key = ""
    for pair in parts.query.split("&"):
        name, _, value = pair.partition("=")
        if name == "k":
            key = value
    if not key or len(key) > 64 or not all(c.isalnum() or c in "-_" for c in key):
        return None
    return f"/api/v1/track/{ticket_id}?k={key}"
