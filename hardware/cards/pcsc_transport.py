"""One connected card as an APDU transport, with PC/SC failures turned into clear errors: a card
pulled out during a read must say so, not surface as a cryptic result code."""

from __future__ import annotations

import time

from smartcard import scard

from hardware.cards.errors import CardReadError, CardRemovedError
from hardware.cards.pcsc_context import CARD_GONE, describe, is_code

# How long a reader may take to notice that a card has gone. A card pulled out mid-command often
# shows first as an empty or failed answer, while pcscd still reports it present for a few
# hundred milliseconds (it polls the reader).
_SETTLE_SECONDS = 2.0


class PcscTransport:
    def __init__(self, context: int, card_handle: int, protocol: int, reader: str):
        self._context = context
        self._card = card_handle
        self._protocol = protocol
        self._reader = reader

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        hr, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if hr != scard.SCARD_S_SUCCESS:
            raise self._failure(f"transmission failed: {describe(hr)}", is_code(hr, *CARD_GONE))
        if len(response) < 2:
            raise self._failure(f"answer {bytes(response).hex() or 'empty'} has no status word")
        return bytes(response[:-2]), (response[-2] << 8) | response[-1]

    def _failure(self, what: str, known_gone: bool = False) -> Exception:
        if known_gone or self._card_left():
            return CardRemovedError(f"card left reader {self._reader!r} during the read ({what})")
        return CardReadError(f"card in {self._reader!r} failed mid-read: {what}")

    def _card_left(self) -> bool:
        """Wait (briefly) for the reader's verdict on whether the card is still there."""
        deadline = time.monotonic() + _SETTLE_SECONDS
        state = scard.SCARD_STATE_UNAWARE
        while True:
            remaining_ms = int((deadline - time.monotonic()) * 1000)
            if remaining_ms <= 0:
                return False
            hr, states = scard.SCardGetStatusChange(
                self._context, remaining_ms, [(self._reader, state)]
            )
            if is_code(hr, scard.SCARD_E_TIMEOUT):
                return False
            if hr != scard.SCARD_S_SUCCESS:
                return True  # the reader itself went away
            state = states[0][1] & ~scard.SCARD_STATE_CHANGED
            if not state & scard.SCARD_STATE_PRESENT:
                return True
