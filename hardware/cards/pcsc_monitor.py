"""A thread that watches PC/SC readers and reports card insertion and removal. It outlives the
things a hall throws at it: readers plugged in or out (pcsc-lite's PnP notification), and the
PC/SC service itself stopping or restarting (it re-establishes its context with backoff)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from smartcard import scard

from hardware.cards import pcsc_context as pcsc
from hardware.cards.errors import NoReaderError, ReaderServiceError
from hardware.cards.events import CardEvent, CardEventKind
from hardware.health import Health

log = logging.getLogger(__name__)

_WAIT_MS = 1000  # wake up now and then even without a change, to notice a stop request
_BACKOFF_START = 0.2
_BACKOFF_MAX = 3.0


class _ServiceLost(Exception):
    pass


class CardMonitor:
    def __init__(
        self,
        on_event: Callable[[CardEvent], None],
        *,
        reader_filter: str = "",
        on_health: Callable[[Health], None] | None = None,
    ):
        self._on_event = on_event
        self._on_health = on_health
        self._filter = reader_filter
        self._stop = threading.Event()
        self._context: int | None = None
        self._present: dict[str, bool] = {}
        self._health = Health.warning("读卡器正在启动", "card monitor starting")
        self._thread = threading.Thread(target=self._run, name="card-monitor", daemon=True)

    @property
    def health(self) -> Health:
        return self._health

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        context = self._context
        if context is not None:
            scard.SCardCancel(context)  # wakes a pending SCardGetStatusChange at once
        self._thread.join(timeout)

    # --- the thread ---------------------------------------------------------------------

    def _run(self) -> None:
        backoff = _BACKOFF_START
        while not self._stop.is_set():
            try:
                self._context = pcsc.establish()
            except ReaderServiceError as exc:
                self._lose_everything(exc.health)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
                continue
            try:
                self._watch(self._context)
                return  # stopped on request
            except Exception as exc:  # _ServiceLost, or anything else: never die silently
                if not isinstance(exc, _ServiceLost):
                    log.exception("card monitor hit an unexpected error; reconnecting")
                log.warning("PC/SC service lost: %s; reconnecting", exc)
                lost = Health.error("读卡器服务中断，正在重新连接", f"PC/SC service lost: {exc}")
                self._lose_everything(lost)
                backoff = _BACKOFF_START
                self._stop.wait(backoff)
            finally:
                context, self._context = self._context, None
                if context is not None:
                    pcsc.release(context)

    def _watch(self, context: int) -> None:
        states: dict[str, int] = {pcsc.PNP_NOTIFICATION: scard.SCARD_STATE_UNAWARE}
        use_pnp = True
        while not self._stop.is_set():
            try:
                readers = pcsc.matching(pcsc.list_readers(context), self._filter)
            except ReaderServiceError as exc:
                raise _ServiceLost(exc.health.message_en) from None
            self._sync_readers(readers, states)
            watched = (pcsc.PNP_NOTIFICATION, *readers) if use_pnp else tuple(readers)
            if not watched:
                self._stop.wait(_WAIT_MS / 1000)  # nothing to wait on: look again later
                continue
            query = [(name, states[name]) for name in watched]
            hr, result = scard.SCardGetStatusChange(context, _WAIT_MS, query)
            if pcsc.is_code(hr, scard.SCARD_E_TIMEOUT):
                continue
            if pcsc.is_code(hr, scard.SCARD_E_CANCELLED):
                return
            if pcsc.is_code(hr, scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE):
                continue  # a reader went away between listing and waiting: list again
            if hr != scard.SCARD_S_SUCCESS:
                raise _ServiceLost(pcsc.describe(hr))
            for name, event_state, atr in result:
                if name == pcsc.PNP_NOTIFICATION and event_state & scard.SCARD_STATE_UNKNOWN:
                    # A PC/SC stack without reader notifications would wake us at once, forever;
                    # without it, new readers are still found by listing after each timeout.
                    use_pnp = False
                states[name] = event_state & ~scard.SCARD_STATE_CHANGED
                if name != pcsc.PNP_NOTIFICATION and name in self._present:
                    present = bool(event_state & scard.SCARD_STATE_PRESENT)
                    self._card_state(name, present, bytes(atr))

    def _sync_readers(self, readers: list[str], states: dict[str, int]) -> None:
        for gone in [r for r in self._present if r not in readers]:
            self._card_state(gone, False, b"")
            del self._present[gone]
            states.pop(gone, None)
            self._emit(CardEvent(CardEventKind.READER_REMOVED, gone))
        for new in [r for r in readers if r not in self._present]:
            self._present[new] = False
            states[new] = scard.SCARD_STATE_UNAWARE  # first wait reports the card state at once
            self._emit(CardEvent(CardEventKind.READER_ADDED, new))
        if readers:
            self._set_health(Health.ok())
        else:
            self._set_health(NoReaderError(self._no_reader_text()).health)

    def _card_state(self, reader: str, present: bool, atr: bytes) -> None:
        if self._present.get(reader) == present:
            return
        self._present[reader] = present
        kind = CardEventKind.INSERTED if present else CardEventKind.REMOVED
        self._emit(CardEvent(kind, reader, atr if present else b""))

    def _lose_everything(self, health: Health) -> None:
        for reader in list(self._present):
            self._card_state(reader, False, b"")
            del self._present[reader]
            self._emit(CardEvent(CardEventKind.READER_REMOVED, reader))
        self._set_health(health)

    def _no_reader_text(self) -> str:
        what = f"matching {self._filter!r} " if self._filter else ""
        return f"no PC/SC reader {what}connected"

    def _set_health(self, health: Health) -> None:
        changed = (health.level, health.message_en) != (self._health.level, self._health.message_en)
        self._health = health
        if changed and self._on_health is not None:
            self._call(self._on_health, health)

    def _emit(self, event: CardEvent) -> None:
        log.info("card event %s on %s", event.kind.value, event.reader)
        self._call(self._on_event, event)

    @staticmethod
    def _call(callback: Callable[[object], None], value: object) -> None:
        # A faulty callback must not kill the monitor: the kiosk would go deaf to cards.
        try:
            callback(value)
        except Exception:
            log.exception("card callback failed")
