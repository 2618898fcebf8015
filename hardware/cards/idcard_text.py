"""The identity card's 256-byte text block (UCS-2 little endian, space padded) as data, and the
GB 11643 check digit that proves an identity number was read right."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hall_common.id_numbers import is_valid_id_number
from hall_common.personal_data import mask_address, mask_date, mask_id_number, mask_name
from hardware.cards.idcard_errors import IdCardDataError
from hardware.cards.nations import nation_name

TEXT_LENGTH = 256
LONG_TERM = "长期"

# (field, start, end) in bytes; sizes 30, 2, 4, 16, 70, 36, 30, 16, 16, then 36 reserved.
_LAYOUT = (
    ("name", 0, 30),
    ("sex", 30, 32),
    ("nation", 32, 36),
    ("birth_date", 36, 52),
    ("address", 52, 122),
    ("id_number", 122, 158),
    ("authority", 158, 188),
    ("valid_from", 188, 204),
    ("valid_to", 204, 220),
)
_SEX = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}


@dataclass(frozen=True, repr=False)
class IdCardIdentity:
    name: str
    sex: str  # 男 / 女
    nation: str  # 汉, 回, ...
    birth_date: date
    address: str
    id_number: str
    authority: str  # 签发机关
    valid_from: date
    valid_to: date | None  # None: 长期 (valid for life)
    photo: bytes = field(default=b"", compare=False)  # wavelet-compressed; opaque to us

    @property
    def valid_long_term(self) -> bool:
        return self.valid_to is None

    def is_expired(self, today: date) -> bool:
        return self.valid_to is not None and self.valid_to < today

    def masked(self) -> dict[str, str]:
        return {
            "name": mask_name(self.name),
            "sex": self.sex,
            "nation": self.nation,
            "birth_date": mask_date(self.birth_date),
            "address": mask_address(self.address),
            "id_number": mask_id_number(self.id_number),
            "authority": self.authority,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else LONG_TERM,
            "photo": f"<{len(self.photo)} bytes>",
        }

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.masked().items())
        return f"IdCardIdentity({inner})"

    __str__ = __repr__


def parse_text(block: bytes, photo: bytes = b"") -> IdCardIdentity:
    """Raises IdCardDataError for a block that is not a valid identity card text."""
    if len(block) != TEXT_LENGTH:
        raise IdCardDataError(f"text block has {len(block)} bytes, expected {TEXT_LENGTH}")
    try:
        raw = {name: block[a:b].decode("utf-16-le") for name, a, b in _LAYOUT}
    except UnicodeDecodeError:
        raise IdCardDataError("text block is not UCS-2 text") from None
    # Fields are padded with spaces (sometimes NULs); trailing only, names may hold a space.
    text = {k: v.rstrip(" \x00") for k, v in raw.items()}
    number = text["id_number"].upper()
    if not is_valid_id_number(number):
        raise IdCardDataError(
            f"identity number {mask_id_number(number)} fails the GB 11643 check digit"
        )
    birth = _date(text["birth_date"], "birth date")
    if number[6:14] != birth.strftime("%Y%m%d"):
        raise IdCardDataError("birth date on the card differs from the identity number")
    if text["sex"] not in _SEX:
        raise IdCardDataError(f"unknown sex code {text['sex']!r}")
    try:
        nation = nation_name(text["nation"])
    except ValueError as exc:
        raise IdCardDataError(str(exc)) from None
    if not text["name"]:
        raise IdCardDataError("name is empty")
    valid_to = None if text["valid_to"] == LONG_TERM else _date(text["valid_to"], "valid to")
    return IdCardIdentity(
        name=text["name"],
        sex=_SEX[text["sex"]],
        nation=nation,
        birth_date=birth,
        address=text["address"],
        id_number=number,
        authority=text["authority"],
        valid_from=_date(text["valid_from"], "valid from"),
        valid_to=valid_to,
        photo=photo,
    )


def _date(value: str, what: str) -> date:
    if len(value) != 8 or not value.isdigit():
        raise IdCardDataError(f"{what} {value!r} is not YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise IdCardDataError(f"{what} {value!r} is not a date") from None


def build_text(
    *,
    name: str,
    sex_code: str,
    nation_code: str,
    birth_date: str,
    address: str,
    id_number: str,
    authority: str,
    valid_from: str,
    valid_to: str,
) -> bytes:
    """The inverse of parse_text, for the simulated reader and test peers."""
    values = dict(
        name=name, sex=sex_code, nation=nation_code, birth_date=birth_date, address=address,
        id_number=id_number, authority=authority, valid_from=valid_from, valid_to=valid_to,
    )
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LENGTH // 2))
    for key, start, end in _LAYOUT:
        encoded = values[key].encode("utf-16-le")
        if len(encoded) > end - start:
            raise ValueError(f"{key} too long for its {end - start} bytes")
        block[start : start + len(encoded)] = encoded
    return bytes(block)
