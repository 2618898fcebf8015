"""Who a ticket is for, as far as the ticket may know it: keyed hashes to match the person again,
masked words to show, the phone sealed for silent-call messages, the green channel. Resolved from an
identity session, a reservation, or the phone a kiosk sends; services/tickets.py makes the ticket."""

from __future__ import annotations

import dataclasses

from hall_common.personal_data import mask_phone

from ..security.keys import Keys


@dataclasses.dataclass(frozen=True, slots=True)
class TicketHolder:
    identity_hash: str | None = None  # the person's keyed hash (per-person limits, their waiting tickets)
    holder_masked: str | None = None
    phone_hash: str | None = None
    phone_masked: str | None = None
    phone_enc: str | None = None  # sealed with the server's key, purged with the ticket
    green_reason: str | None = None  # the green channel, and why; None: an ordinary ticket

    def with_phone(self, keys: Keys, phone: str | None) -> TicketHolder:
        """A phone given with the ticket (for silent-call messages) replaces the identity's."""
        if not phone:
            return self
        return dataclasses.replace(
            self, phone_hash=keys.match_hash("phone", phone), phone_masked=mask_phone(phone), phone_enc=keys.encrypt(phone)
        )
