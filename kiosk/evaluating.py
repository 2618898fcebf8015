"""好差评 at the kiosk: from the 服务评价 tile to a stored evaluation. The citizen names the ticket
by its slip's QR code (the kiosk's scanner or camera, on the scan screen other flows use) or by
its number on the keypad; the server says what the ticket allows (`GET …/evaluations/ticket`);
one touch records 基本满意 and above, a 差评 first asks for at least one of the hall's reasons;
`POST …/evaluations` stores it and the thank-you screen goes home after the ticket screen's
timeout. What each answer means is decided in `kiosk.evaluation` (pure); this class only carries
the touches and the server's answers there and back.

`Evaluating` is composed into the controller like `Identification`: it is handed the visit
(`Flow`), the server, the background `Jobs`, the `DeviceWaits` and a `Desk`. Its buttons are in
`actions()` and `actions_with_arg()`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from .actions import Action
from .api import ApiClient, ApiError
from .evaluation import (
    LEVELS,
    EvaluationVisit,
    TicketRef,
    Verdict,
    number_from_typed,
    ref_from_scan,
    refused_submission,
    verdict,
)
from .flow import Context, Flow, Screen, scan_option
from .jobs import Jobs
from .replies import Evaluated, EvaluationTicket
from .waits import DeviceWaits

log = logging.getLogger("kiosk.evaluate")

SCAN_PURPOSE = "evaluate"
KEYPAD_PURPOSE = "eval_number"


class Desk(Protocol):
    """What evaluation asks of the rest of the kiosk (kiosk.controller.Controller)."""

    def context(self) -> Context: ...

    def start_scan(self, purpose: str) -> None: ...

    def show_message(self, title: str, error: ApiError | None = None, body_key: str | None = None,
                     hint: str = "msg.try_later") -> None: ...

    def failed(self, error: ApiError) -> None:
        """A request that failed for a reason that is not evaluation's (the server unreachable)."""


class Evaluating:
    def __init__(self, *, flow: Flow, api: ApiClient, jobs: Jobs, waits: DeviceWaits, desk: Desk) -> None:
        self.flow = flow
        self.api = api
        self.jobs = jobs
        self.waits = waits
        self.desk = desk

    def actions(self) -> dict[Action, Callable[[], None]]:
        return {
            Action.HOME_EVALUATE: self.start,
            Action.EVAL_BY_NUMBER: self.by_number,
            Action.EVAL_SUBMIT: self.submit,
            Action.EVAL_FOLLOW_UP: self.follow_up,
            Action.EVAL_DONE: self.done,
        }

    def actions_with_arg(self) -> dict[Action, Callable[[str], None]]:
        return {Action.EVAL_LEVEL: self.level, Action.EVAL_REASON: self.reason}

    @property
    def visit(self) -> EvaluationVisit | None:
        return self.flow.session.evaluation

    # -- naming the ticket ---------------------------------------------------------------------------
    def start(self) -> None:
        """The 服务评价 tile: the scan screen (with the keypad one touch away), or straight to the
        keypad on a kiosk with no working scanner or camera."""
        if not self.desk.context().online:
            return
        self.flow.session.evaluation = None
        if scan_option(self.desk.context(), "home.evaluate").enabled:
            self.desk.start_scan(SCAN_PURPOSE)
        else:
            self.flow.open_keypad(KEYPAD_PURPOSE)

    def by_number(self) -> None:
        self.waits.cancel()
        self.flow.open_keypad(KEYPAD_PURPOSE)

    def keypad_ok(self, purpose: str, text: str) -> bool:
        """The keypad's OK for the ticket number; False when the purpose is not evaluation's."""
        if purpose != KEYPAD_PURPOSE:
            return False
        number = number_from_typed(text)
        if number is None:
            self.flow.session.keypad_error = "eval.number_invalid"
        else:
            self._look_up(TicketRef(number=number))
        return True

    def scanned(self, payload: str) -> None:
        ref = ref_from_scan(payload)
        if ref is None:  # a 鲁通码, a web address, a reservation code: never sent
            self._refuse(EvaluationVisit(TicketRef(), verdict=Verdict.NOT_A_TICKET))
            return
        self._look_up(ref)

    def _look_up(self, ref: TicketRef, after_refusal: bool = False) -> None:
        self.flow.busy = True

        def found(ticket: EvaluationTicket) -> None:
            self._found(ref, ticket, after_refusal)

        self.jobs.run(lambda: self.api.evaluation_ticket(link=ref.link, number=ref.number), found,
                      lambda error: self._look_up_failed(ref, error))

    def _found(self, ref: TicketRef, ticket: EvaluationTicket, after_refusal: bool) -> None:
        self.flow.busy = False
        visit = EvaluationVisit(ref, ticket, verdict(ticket))
        self.flow.session.evaluation = visit
        if visit.verdict is Verdict.EVALUATE and not after_refusal:
            self.flow.go(Screen.EVALUATE)
        elif visit.verdict is Verdict.EVALUATE:  # refused, yet evaluable: not the ticket's state
            self.desk.show_message("msg.error_title", body_key="msg.rejected")
        elif after_refusal:  # "back" must not lead to the levels of a ticket that refused them
            self.flow.history[:] = [Screen.HOME]
            self.flow.replace(Screen.EVAL_REFUSED)
        else:
            self._refuse(visit)

    def _look_up_failed(self, ref: TicketRef, error: ApiError) -> None:
        self.flow.busy = False
        if error.unreachable:
            self.desk.failed(error)
        elif error.status == 404:
            self._refuse(EvaluationVisit(ref, verdict=Verdict.UNKNOWN))
        elif error.status == 422 and ref.link is not None:
            self._refuse(EvaluationVisit(ref, verdict=Verdict.NOT_A_TICKET))
        else:
            self.desk.show_message("msg.error_title", error)

    def _refuse(self, visit: EvaluationVisit) -> None:
        self.flow.session.evaluation = visit
        self.flow.go(Screen.EVAL_REFUSED)

    # -- levels and reasons -----------------------------------------------------------------------------
    def follow_up(self) -> None:
        """追评, offered on the refusal of a ticket evaluated already."""
        visit = self.visit
        if visit is None or visit.ticket is None or visit.verdict is not Verdict.FOLLOW_UP:
            return
        visit.followup = True
        visit.level = None
        visit.reasons = []
        self.flow.go(Screen.EVALUATE)

    def level(self, arg: str) -> None:
        visit = self.visit
        try:
            level = int(arg)
        except ValueError:
            return
        if visit is None or visit.ticket is None or level not in LEVELS or self.flow.screen is not Screen.EVALUATE:
            return
        if visit.choose(level):
            self._send(visit)
        else:
            self.flow.go(Screen.EVAL_REASONS)

    def reason(self, arg: str) -> None:
        visit = self.visit
        if visit is not None and self.flow.screen is Screen.EVAL_REASONS:
            visit.toggle(arg)

    def submit(self) -> None:
        visit = self.visit
        if visit is not None and visit.ready and self.flow.screen is Screen.EVAL_REASONS:
            self._send(visit)

    # -- the server's answer ------------------------------------------------------------------------------
    def _send(self, visit: EvaluationVisit) -> None:
        body = visit.body()
        self.flow.busy = True
        self.jobs.run(lambda: self.api.evaluate(body), lambda result: self._sent(visit, result),
                      lambda error: self._send_failed(visit, error))

    def _sent(self, visit: EvaluationVisit, result: Evaluated) -> None:
        self.flow.busy = False
        if self.flow.session.evaluation is not visit:  # the citizen left meanwhile
            return
        visit.result = result
        self.flow.history.clear()
        self.flow.replace(Screen.EVAL_DONE)

    def _send_failed(self, visit: EvaluationVisit, error: ApiError) -> None:
        self.flow.busy = False
        if self.flow.session.evaluation is not visit:
            return
        if error.unreachable:
            self.desk.failed(error)
            return
        about_ticket = refused_submission(error.status, error.code)
        if about_ticket is Verdict.UNKNOWN:
            self._refuse(EvaluationVisit(visit.ref, verdict=Verdict.UNKNOWN))
        elif about_ticket is not None:
            # The ticket changed since it was shown (evaluated at the window meanwhile, the period
            # just ended): ask again and show what it allows now.
            log.info("evaluation refused (%s): looking the ticket up again", error.code)
            self._look_up(visit.ref, after_refusal=True)
        else:
            self.desk.show_message("msg.error_title", error)

    def done(self) -> None:
        self.flow.home()
