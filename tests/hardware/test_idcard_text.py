"""The identity card's text block, check digit, frames and masking, without a serial port."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.cards.idcard_errors import (
    IdCardChecksumError,
    IdCardDataError,
    IdCardFrameError,
    IdCardIncompleteFrameError,
    IdCardTimeoutError,
)
from hardware.cards.idcard_frame import HEADER, checksum, encode, read_frame
from hardware.cards.idcard_text import (
    build_text,
    parse_text,
)
from hardware.cards.nations import NATIONS, nation_name

FIELDS = dict(
    name="欧阳娜娜",
    sex_code="2",
    nation_code="01",
    birth_date="19900307",
    address="山东省青岛市市南区香港中路10号",
    id_number="37020219900307002X",
    authority="青岛市公安局市南分局",
    valid_from="20200101",
    valid_to="20400101",
)


# The GB 11643 rule itself is tested in tests/common/test_personal_data.py: it lives in hall_common.


def test_text_block_is_parsed() -> None:
    identity = parse_text(build_text(**FIELDS), photo=b"\x01" * 1024)
    assert identity.name == "欧阳娜娜"
    assert identity.sex == "女"
    assert identity.nation == "汉"
    assert identity.birth_date == date(1990, 3, 7)
    assert identity.address == "山东省青岛市市南区香港中路10号"
    assert identity.id_number == "37020219900307002X"
    assert identity.authority == "青岛市公安局市南分局"
    assert identity.valid_from == date(2020, 1, 1)
    assert identity.valid_to == date(2040, 1, 1)
    assert identity.photo == b"\x01" * 1024
    assert not identity.is_expired(date(2039, 12, 31)) and identity.is_expired(date(2040, 1, 2))


def test_long_term_validity() -> None:
    identity = parse_text(build_text(**{**FIELDS, "valid_to": "长期"}))
    assert identity.valid_to is None and identity.valid_long_term
    assert not identity.is_expired(date(2099, 1, 1))
    assert "长期" in repr(identity)


def test_identity_masks_itself() -> None:
    identity = parse_text(build_text(**FIELDS))
    for shown in (repr(identity), str(identity), f"{identity}"):
        assert "欧*" in shown and "欧阳娜娜" not in shown
        assert "3702**********002X" in shown and "37020219900307002X" not in shown
        assert "香港中路" not in shown
        assert "1990-03-07" not in shown


@pytest.mark.parametrize(
    "change, message",
    [
        ({"id_number": "370202199003070027"}, "check digit"),
        ({"birth_date": "19900308"}, "differs from the identity number"),
        ({"nation_code": "77"}, "GB/T 3304"),
        ({"sex_code": "5"}, "sex"),
        ({"valid_from": "2020011"}, "YYYYMMDD"),
        ({"valid_to": "20401301"}, "not a date"),
        ({"name": ""}, "name is empty"),
    ],
)
def test_bad_text_is_a_clear_error(change: dict, message: str) -> None:
    with pytest.raises(IdCardDataError, match=message) as caught:
        parse_text(build_text(**{**FIELDS, **change}))
    assert caught.value.health.message_zh.startswith("身份证信息无法识别")
    assert "370202199003070027" not in str(caught.value)  # even errors mask the number


def test_text_block_of_wrong_size_is_refused() -> None:
    with pytest.raises(IdCardDataError, match="255 bytes"):
        parse_text(build_text(**FIELDS)[:255])


def test_all_56_nations_and_the_extra_codes() -> None:
    assert len([c for c in NATIONS if c <= 56]) == 56
    assert nation_name("01") == "汉" and nation_name(3) == "回" and nation_name("56") == "基诺"
    with pytest.raises(ValueError):
        nation_name("57")
    with pytest.raises(ValueError):
        nation_name("x")


# --- frames, against a scripted port and a fake clock (deterministic timeouts) -------------


class ScriptedPort:
    """Gives the scripted chunks one read at a time; each empty read costs 0.1 s of fake time."""

    def __init__(self, *chunks: bytes):
        self.chunks = list(chunks)
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def read(self, size: int = 1) -> bytes:
        if self.chunks:
            return self.chunks.pop(0)
        self.now += 0.1
        return b""


def test_frame_encoding_matches_the_documented_find_command() -> None:
    assert encode(bytes([0x20, 0x01])) == bytes.fromhex("AAAAAA9669000320012 2".replace(" ", ""))


@given(
    payload=st.binary(min_size=3, max_size=1400),
    noise=st.binary(max_size=64).filter(lambda b: HEADER[:1] not in b),
    split=st.integers(min_value=1, max_value=50),
)
def test_frames_survive_noise_and_any_split(payload: bytes, noise: bytes, split: int) -> None:
    stream = noise + encode(payload)
    port = ScriptedPort(*[stream[i : i + split] for i in range(0, len(stream), split)])
    assert read_frame(port, timeout=1.0, clock=port.clock) == payload


def test_wrong_checksum_is_named() -> None:
    frame = bytearray(encode(b"\x00\x00\x90"))
    frame[-1] ^= 0xFF
    port = ScriptedPort(bytes(frame))
    with pytest.raises(IdCardChecksumError, match="checksum"):
        read_frame(port, timeout=1.0, clock=port.clock)


def test_half_frame_is_named() -> None:
    port = ScriptedPort(encode(b"\x00\x00\x90" + bytes(20))[:15])
    with pytest.raises(IdCardIncompleteFrameError, match="stopped after 15 of"):
        read_frame(port, timeout=1.0, clock=port.clock)


def test_silence_is_a_timeout() -> None:
    port = ScriptedPort()
    with pytest.raises(IdCardTimeoutError, match="did not answer"):
        read_frame(port, timeout=1.0, clock=port.clock)


def test_noise_only_is_a_timeout_that_says_so() -> None:
    port = ScriptedPort(b"\x01\x02\x03" * 10)
    with pytest.raises(IdCardTimeoutError, match="noise"):
        read_frame(port, timeout=1.0, clock=port.clock)


def test_implausible_length_is_refused() -> None:
    port = ScriptedPort(HEADER + b"\xff\xff" + bytes(10))
    with pytest.raises(IdCardFrameError, match="implausible frame length 65535"):
        read_frame(port, timeout=1.0, clock=port.clock)


def test_endless_noise_is_refused() -> None:
    port = ScriptedPort(*([b"\x55" * 1024] * 8))
    with pytest.raises(IdCardFrameError, match="no frame header"):
        read_frame(port, timeout=1.0, clock=port.clock)


def test_checksum_is_xor_of_length_and_payload() -> None:
    frame = encode(b"\x00\x00\x9f\x00\x00\x00\x00")
    assert frame[-1] == checksum(frame[5:-1])
