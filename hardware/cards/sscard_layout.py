"""Where the social security card (社会保障卡) keeps what a kiosk may read: the SSSE application's
EF05 (card basics) and EF06 (holder basics), one record per data element. Each record answers
READ RECORD with `tag length value`, the tag being the record number. Sources and assumptions are
in docs/hardware-cards.md; lengths are the specification's maximum value lengths."""

from __future__ import annotations

import enum
from dataclasses import dataclass

# "sx1.sh.社会保障" in GBK: the SSSE (社会保障应用) application identifier.
SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
EF05 = 0xEF05
EF06 = 0xEF06


class Encoding(enum.Enum):
    BINARY = "b"  # shown as hex, unless the card stored printable text
    ASCII = "an"  # alphanumeric text, padded with 00/20/FF
    GBK = "gbk"  # Chinese text (names), padded with 00/20/FF
    BCD = "cn"  # compressed numeric: two digits a byte (dates, region codes, nation)


@dataclass(frozen=True)
class RecordSpec:
    file_id: int
    record: int  # also the tag in the answer
    field: str  # the SocialSecurityCard attribute it fills
    length: int
    encoding: Encoding


RECORDS: tuple[RecordSpec, ...] = (
    RecordSpec(EF05, 0x01, "card_id_code", 16, Encoding.BINARY),  # 卡的识别码
    RecordSpec(EF05, 0x02, "card_type", 1, Encoding.ASCII),  # 卡的类别
    RecordSpec(EF05, 0x03, "spec_version", 4, Encoding.ASCII),  # 规范版本 "2.00"
    RecordSpec(EF05, 0x04, "initialising_org", 12, Encoding.BINARY),  # 初始化机构编号
    RecordSpec(EF05, 0x05, "issue_date", 4, Encoding.BCD),  # 发卡日期 YYYYMMDD
    RecordSpec(EF05, 0x06, "expiry_date", 4, Encoding.BCD),  # 卡有效期 YYYYMMDD
    RecordSpec(EF05, 0x07, "card_number", 9, Encoding.ASCII),  # 卡号
    RecordSpec(EF06, 0x08, "social_security_number", 18, Encoding.ASCII),  # 社会保障号码
    RecordSpec(EF06, 0x09, "name", 30, Encoding.GBK),  # 姓名
    RecordSpec(EF06, 0x0A, "sex", 1, Encoding.ASCII),  # 性别 "1" 男 / "2" 女
    RecordSpec(EF06, 0x0B, "nation", 1, Encoding.BCD),  # 民族 GB/T 3304 code
    RecordSpec(EF06, 0x0C, "birthplace", 3, Encoding.BCD),  # 出生地 region code
    RecordSpec(EF06, 0x0D, "birth_date", 4, Encoding.BCD),  # 出生日期 YYYYMMDD
)

_PADDING = b"\x00\x20\xff"


def records_of(file_id: int) -> tuple[RecordSpec, ...]:
    return tuple(spec for spec in RECORDS if spec.file_id == file_id)


class LayoutError(ValueError):
    """A record's bytes do not match the layout."""


def unwrap_record(spec: RecordSpec, answer: bytes) -> bytes:
    """The value inside `tag length value`; empty when the card gave nothing."""
    if not answer:
        return b""
    if len(answer) < 2:
        raise LayoutError(f"record {spec.record:02X} answer too short: {answer.hex()}")
    tag, length = answer[0], answer[1]
    if tag != spec.record:
        raise LayoutError(f"record {spec.record:02X} answered with tag {tag:02X}")
    value = answer[2 : 2 + length]
    if len(value) != length:
        raise LayoutError(f"record {spec.record:02X} announces {length} bytes, has {len(value)}")
    return value


def is_blank(value: bytes) -> bool:
    """A withheld value: nothing, or only padding (3rd generation cards without a PSAM)."""
    return not value.strip(_PADDING)


def decode_value(spec: RecordSpec, value: bytes) -> str:
    """Text form of a value; raises LayoutError for bytes its encoding cannot carry."""
    if spec.encoding is Encoding.BCD:
        digits = value.hex()
        if not digits.isdigit():
            raise LayoutError(f"record {spec.record:02X} is not BCD: {value.hex()}")
        return digits
    trimmed = value.rstrip(_PADDING)
    if spec.encoding is Encoding.GBK:
        try:
            return trimmed.decode("gbk").strip()
        except UnicodeDecodeError:
            raise LayoutError(f"record {spec.record:02X} is not GBK text") from None
    if spec.encoding is Encoding.ASCII:
        if not all(0x20 <= b < 0x7F for b in trimmed):
            raise LayoutError(f"record {spec.record:02X} is not text: {value.hex()}")
        return trimmed.decode("ascii").strip()
    # BINARY: some issuers store the identification code as text, most as raw bytes.
    if trimmed and all(0x30 <= b < 0x7F for b in trimmed):
        return trimmed.decode("ascii")
    return value.hex().upper()
