"""The social security card reader on a real PC/SC stack (pcscd + any CCID reader)."""

from __future__ import annotations

from collections.abc import Callable

from smartcard import scard

from hardware.cards import pcsc_context as pcsc
from hardware.cards.errors import (
    CardError,
    CardReadError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    ReaderServiceError,
)
from hardware.cards.events import CardEvent
from hardware.cards.pcsc_monitor import CardMonitor
from hardware.cards.pcsc_transport import PcscTransport
from hardware.cards.sscard import SocialSecurityCard, read_social_security_card
from hardware.health import Health


class PcscCardReader:
    def __init__(self, reader_filter: str = ""):
        # A substring of the reader name: kiosks with a second reader (e.g. a contactless pad
        # for bank cards) name the one meant for social security cards.
        self.reader_filter = reader_filter
        self._monitor: CardMonitor | None = None

    def readers(self) -> list[str]:
        context = pcsc.establish()
        try:
            return pcsc.matching(pcsc.list_readers(context), self.reader_filter)
        finally:
            pcsc.release(context)

    def health(self) -> Health:
        if self._monitor is not None:
            return self._monitor.health
        try:
            context = pcsc.establish()
        except CardError as exc:
            return exc.health
        try:
            pcsc.require_readers(context, self.reader_filter)
            return Health.ok()
        except CardError as exc:
            return exc.health
        finally:
            pcsc.release(context)

    def start(
        self,
        on_event: Callable[[CardEvent], None],
        on_health: Callable[[Health], None] | None = None,
    ) -> None:
        if self._monitor is not None:
            raise RuntimeError("card monitor already started")
        self._monitor = CardMonitor(on_event, reader_filter=self.reader_filter, on_health=on_health)
        self._monitor.start()

    def stop(self) -> None:
        monitor, self._monitor = self._monitor, None
        if monitor is not None:
            monitor.stop()

    def read_card(self, reader: str | None = None) -> SocialSecurityCard:
        context = pcsc.establish()
        try:
            target = reader or self._reader_with_card(context)
            card, protocol = self._connect(context, target)
            try:
                # A transaction keeps other programs from slipping a SELECT between ours.
                hr = scard.SCardBeginTransaction(card)
                if hr != scard.SCARD_S_SUCCESS:
                    raise self._connect_failure(target, hr)
                try:
                    atr = self._atr(card, target)
                    transport = PcscTransport(context, card, protocol, target)
                    return read_social_security_card(transport, atr)
                finally:
                    scard.SCardEndTransaction(card, scard.SCARD_LEAVE_CARD)
            finally:
                scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        finally:
            pcsc.release(context)

    def _reader_with_card(self, context: int) -> str:
        readers = pcsc.require_readers(context, self.reader_filter)
        query = [(name, scard.SCARD_STATE_UNAWARE) for name in readers]
        hr, states = scard.SCardGetStatusChange(context, 0, query)
        if hr != scard.SCARD_S_SUCCESS:
            raise CardReadError(f"cannot query reader state: {pcsc.describe(hr)}")
        for name, state, _atr in states:
            if state & scard.SCARD_STATE_PRESENT:
                return name
        raise NoCardError(f"no card in reader(s) {', '.join(readers)}")

    def _connect(self, context: int, reader: str) -> tuple[int, int]:
        protocols = scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        hr, card, protocol = scard.SCardConnect(
            context, reader, scard.SCARD_SHARE_SHARED, protocols
        )
        if hr != scard.SCARD_S_SUCCESS:
            raise self._connect_failure(reader, hr)
        return card, protocol

    @staticmethod
    def _connect_failure(reader: str, hr: int) -> CardError:
        if pcsc.is_code(hr, scard.SCARD_E_NO_SMARTCARD):
            return NoCardError(f"no card in reader {reader!r}")
        if pcsc.is_code(hr, *pcsc.CARD_GONE):
            return CardRemovedError(f"card left reader {reader!r}: {pcsc.describe(hr)}")
        if pcsc.is_code(hr, scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE):
            return NoReaderError(f"reader {reader!r} is not connected: {pcsc.describe(hr)}")
        if pcsc.is_code(hr, *pcsc.SERVICE_GONE):
            return ReaderServiceError(f"PC/SC service lost: {pcsc.describe(hr)}")
        if pcsc.is_code(hr, scard.SCARD_W_UNRESPONSIVE_CARD):
            return CardReadError(f"card in {reader!r} does not answer (inserted the wrong way?)")
        return CardReadError(f"cannot connect to the card in {reader!r}: {pcsc.describe(hr)}")

    @staticmethod
    def _atr(card: int, reader: str) -> bytes:
        hr, _name, _state, _protocol, atr = scard.SCardStatus(card)
        if hr != scard.SCARD_S_SUCCESS:
            raise PcscCardReader._connect_failure(reader, hr)
        return bytes(atr)
