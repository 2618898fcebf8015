"""The social security card as data, and the APDU dialogue that reads it from any transport
(a PC/SC reader, or a test double). Nothing here knows about pcscd."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from datetime import date

from hall_common.personal_data import mask_date, mask_id_number, mask_middle, mask_name
from hardware.cards import apdu
from hardware.cards.errors import CardReadError, NotSocialSecurityCardError
from hardware.cards.nations import nation_name
from hardware.cards.sscard_layout import (
    EF05,
    EF06,
    SSSE_AID,
    LayoutError,
    RecordSpec,
    decode_value,
    is_blank,
    records_of,
    unwrap_record,
)

log = logging.getLogger(__name__)

# Answers meaning "protected": the field exists but this terminal may not see it.
_REFUSED = {apdu.SW_SECURITY_NOT_SATISFIED, apdu.SW_CONDITIONS_NOT_SATISFIED}
_ABSENT = {apdu.SW_RECORD_NOT_FOUND, apdu.SW_FILE_NOT_FOUND}
_SEX = {"1": "男", "2": "女", "0": "未知", "9": "未说明"}  # GB/T 2261.1 codes


@dataclass(frozen=True, repr=False)
class SocialSecurityCard:
    atr: bytes
    card_id_code: str  # 卡识别码; its first 6 digits are the issuing region
    card_type: str | None = None
    spec_version: str | None = None  # "1.00", "2.00", "3.00"
    initialising_org: str | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    card_number: str | None = None
    social_security_number: str | None = None  # 18 characters, the holder's identity number
    name: str | None = None
    sex: str | None = None  # 男 / 女
    nation: str | None = None  # 汉, 回, ...
    birthplace: str | None = None  # region code, 6 digits
    birth_date: date | None = None
    # Fields the card has but did not reveal (3rd generation cards without a PSAM), or lacks.
    withheld_fields: tuple[str, ...] = field(default_factory=tuple)

    @property
    def region_code(self) -> str:
        return self.card_id_code[:6]

    @property
    def generation(self) -> int | None:
        """2 or 3 from the spec version ("2.00" → 2); None when the card did not say."""
        if not self.spec_version:
            return None
        try:
            return int(float(self.spec_version))
        except ValueError:
            return None

    @property
    def identifies_holder(self) -> bool:
        """Whether the card alone tells who the holder is; if not, resolve the person online
        from the card identification code."""
        return bool(self.social_security_number and self.name)

    def masked(self) -> dict[str, str | None]:
        """Display form: personal fields masked, everything else as is."""
        shown: dict[str, str | None] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "atr":
                shown[f.name] = value.hex().upper()
            elif f.name == "name":
                shown[f.name] = mask_name(value)
            elif f.name == "social_security_number":
                shown[f.name] = mask_id_number(value)
            elif f.name == "card_number":
                shown[f.name] = mask_middle(value)
            elif f.name == "birth_date":
                shown[f.name] = mask_date(value)
            elif f.name == "withheld_fields":
                shown[f.name] = ",".join(value)
            else:
                shown[f.name] = None if value is None else str(value)
        return shown

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.masked().items())
        return f"SocialSecurityCard({inner})"

    __str__ = __repr__


def read_social_security_card(transport: apdu.Transport, atr: bytes) -> SocialSecurityCard:
    """SELECT SSSE, then EF05 and EF06 record by record. Raises NotSocialSecurityCardError for
    another kind of card, CardReadError for an answer that breaks the layout; transport errors
    (card pulled out) pass through unchanged."""
    answer = apdu.exchange(transport, apdu.select_aid(SSSE_AID))
    if not answer.ok:
        raise NotSocialSecurityCardError(
            f"card has no SSSE application (SELECT answered {answer.sw:04X})"
        )
    values: dict[str, str] = {}
    withheld: list[str] = []
    for file_id in (EF05, EF06):
        _read_file(transport, file_id, values, withheld)
    if "card_id_code" not in values:
        raise CardReadError("card did not give its identification code (EF05 record 01)")
    return _build(atr, values, tuple(withheld))


def _read_file(
    transport: apdu.Transport, file_id: int, values: dict[str, str], withheld: list[str]
) -> None:
    specs = records_of(file_id)
    selected = apdu.exchange(transport, apdu.select_file(file_id))
    if selected.sw in _REFUSED or selected.sw in _ABSENT:
        withheld.extend(spec.field for spec in specs)
        return
    if not selected.ok:
        raise CardReadError(f"SELECT {file_id:04X} answered {selected.sw:04X}")
    for spec in specs:
        text = _read_record(transport, spec)
        if text is None:
            withheld.append(spec.field)
        else:
            values[spec.field] = text


def _read_record(transport: apdu.Transport, spec: RecordSpec) -> str | None:
    answer = apdu.exchange(transport, apdu.read_record(spec.record, spec.length + 2))
    if answer.sw in _REFUSED or answer.sw in _ABSENT:
        return None
    if not answer.ok:
        raise CardReadError(f"READ RECORD {spec.record:02X} answered {answer.sw:04X}")
    try:
        value = unwrap_record(spec, answer.data)
        return None if is_blank(value) else decode_value(spec, value)
    except LayoutError as exc:
        raise CardReadError(f"unexpected card data: {exc}") from None


def _build(atr: bytes, values: dict[str, str], withheld: tuple[str, ...]) -> SocialSecurityCard:
    def text(key: str) -> str | None:
        return values.get(key)

    return SocialSecurityCard(
        atr=atr,
        card_id_code=values["card_id_code"],
        card_type=text("card_type"),
        spec_version=text("spec_version"),
        initialising_org=text("initialising_org"),
        issue_date=_date(values, "issue_date"),
        expiry_date=_date(values, "expiry_date"),
        card_number=text("card_number"),
        social_security_number=text("social_security_number"),
        name=text("name"),
        sex=_SEX.get(values["sex"], values["sex"]) if "sex" in values else None,
        nation=_nation(values),
        birthplace=text("birthplace"),
        birth_date=_date(values, "birth_date"),
        withheld_fields=withheld,
    )


def _date(values: dict[str, str], key: str) -> date | None:
    raw = values.get(key)
    if raw is None:
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        # A damaged date must not cost the citizen the whole read; the technician sees it.
        log.warning("card field %s holds no valid date (%s); ignored", key, raw)
        return None


def _nation(values: dict[str, str]) -> str | None:
    raw = values.get("nation")
    if raw is None:
        return None
    try:
        return nation_name(raw)
    except ValueError:
        log.warning("card nation code %s unknown; ignored", raw)
        return None
