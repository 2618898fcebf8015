"""The social security card dialogue against a scripted transport: the corner cases a real card
rarely shows on demand (endless 61xx, broken records, damaged values)."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from hardware.cards import CardReadError
from hardware.cards.apdu import ApduError, exchange
from hardware.cards.sscard import read_social_security_card
from hardware.cards.sscard_layout import RECORDS

OK = 0x9000


class ScriptedCard:
    """Answers by command prefix; records come from `records` (record number → raw answer)."""

    def __init__(self, records: dict[int, bytes], ef06_sw: int = OK):
        self.records = records
        self.ef06_sw = ef06_sw
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        if apdu[1] == 0xA4:
            return b"", self.ef06_sw if apdu.endswith(b"\xef\x06") else OK
        answer = self.records.get(apdu[2])
        return (answer, OK) if answer is not None else (b"", 0x6A83)


def good_records() -> dict[int, bytes]:
    values = {
        1: bytes.fromhex("370100D15600000500A1B2C3D4E5F6A7"), 2: b"3", 3: b"2.00",
        4: b"370100000001", 5: bytes.fromhex("20210601"), 6: bytes.fromhex("20310601"),
        7: b"A12345678", 8: b"370102199001011231", 9: "李四".encode("gbk") + bytes(26),
        10: b"2", 11: bytes.fromhex("01"), 12: bytes.fromhex("370102"),
        13: bytes.fromhex("19900101"),
    }
    return {k: bytes([k, len(v)]) + v for k, v in values.items()}


def test_scripted_card_reads() -> None:
    card = read_social_security_card(ScriptedCard(good_records()), b"\x3b")
    assert card.name == "李四" and card.sex == "女" and card.nation == "汉"
    assert card.expiry_date == date(2031, 6, 1)


def test_read_record_asks_for_the_specified_length() -> None:
    # Le = the specified value length + the tag and length bytes of the answer.
    transport = ScriptedCard(good_records())
    read_social_security_card(transport, b"\x3b")
    asked = {apdu[2]: apdu[4] for apdu in transport.sent if apdu[1] == 0xB2}
    assert asked == {spec.record: spec.length + 2 for spec in RECORDS}


def test_missing_identification_code_fails_clearly() -> None:
    records = good_records()
    del records[1]
    with pytest.raises(CardReadError, match="identification code"):
        read_social_security_card(ScriptedCard(records), b"\x3b")


def test_record_with_the_wrong_tag_fails_clearly() -> None:
    records = good_records()
    records[9] = b"\x08\x02ab"
    with pytest.raises(CardReadError, match="record 09 answered with tag 08"):
        read_social_security_card(ScriptedCard(records), b"\x3b")


def test_truncated_record_fails_clearly() -> None:
    records = good_records()
    records[7] = b"\x07\x09A12"
    with pytest.raises(CardReadError, match="announces 9 bytes, has 3"):
        read_social_security_card(ScriptedCard(records), b"\x3b")


def test_damaged_date_and_nation_are_dropped_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    records = good_records()
    records[6] = b"\x06\x04" + bytes.fromhex("20311399")
    records[11] = b"\x0b\x01" + bytes.fromhex("77")
    with caplog.at_level(logging.WARNING):
        card = read_social_security_card(ScriptedCard(records), b"\x3b")
    assert card.expiry_date is None and card.nation is None
    assert card.issue_date == date(2021, 6, 1)
    assert "no valid date" in caplog.text and "nation code 77" in caplog.text


def test_non_bcd_date_fails_clearly() -> None:
    records = good_records()
    records[5] = b"\x05\x04" + bytes.fromhex("20AB0601")
    with pytest.raises(CardReadError, match="not BCD"):
        read_social_security_card(ScriptedCard(records), b"\x3b")


def test_endless_61xx_is_cut_off() -> None:
    class Chatty:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            return b"\x00" * 16, 0x6110

    with pytest.raises(ApduError, match="kept answering 61xx"):
        exchange(Chatty(), bytes.fromhex("00B2010412"))


def test_6cxx_on_a_command_with_data_appends_le() -> None:
    sent: list[bytes] = []

    class WantsLe:
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            sent.append(apdu)
            return (b"", 0x6C08) if len(sent) == 1 else (b"12345678", OK)

    answer = exchange(WantsLe(), bytes.fromhex("00A4040002AABB"))
    assert answer.data == b"12345678" and sent[1] == bytes.fromhex("00A4040002AABB08")
