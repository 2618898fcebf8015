"""Card readers: the social security card (社会保障卡) over PC/SC and the second-generation
resident identity card (二代身份证) over a serial SAM module, each with a simulated twin.

The kiosk uses the factories: `open_card_reader(uri)` and `open_idcard_reader(uri)`.
"""

from hardware.cards.device_uri import DeviceUriError
from hardware.cards.errors import (
    CardError,
    CardReadError,
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NotSocialSecurityCardError,
    ReaderServiceError,
)
from hardware.cards.events import CardEvent, CardEventKind
from hardware.cards.factory import open_card_reader, open_idcard_reader
from hardware.cards.idcard_errors import (
    IdCardChecksumError,
    IdCardDataError,
    IdCardError,
    IdCardFrameError,
    IdCardIncompleteFrameError,
    IdCardStatusError,
    IdCardTimeoutError,
)
from hardware.cards.idcard_reader import SerialIdCardReader
from hardware.cards.idcard_sim import SimIdCardReader
from hardware.cards.idcard_text import IdCardIdentity
from hardware.cards.pcsc_reader import PcscCardReader
from hardware.cards.reader_api import IdentityCardReader, SocialSecurityCardReader
from hardware.cards.sscard import SocialSecurityCard
from hardware.cards.sscard_sim import SimCardReader

__all__ = [
    "CardError",
    "CardEvent",
    "CardEventKind",
    "CardReadError",
    "CardRemovedError",
    "DeviceUriError",
    "IdCardChecksumError",
    "IdCardDataError",
    "IdCardError",
    "IdCardFrameError",
    "IdCardIdentity",
    "IdCardIncompleteFrameError",
    "IdCardStatusError",
    "IdCardTimeoutError",
    "IdentityCardReader",
    "NoCardError",
    "NoReaderError",
    "NotSocialSecurityCardError",
    "PcscCardReader",
    "ReaderServiceError",
    "SerialIdCardReader",
    "SimCardReader",
    "SimIdCardReader",
    "SocialSecurityCard",
    "SocialSecurityCardReader",
    "open_card_reader",
    "open_idcard_reader",
]
