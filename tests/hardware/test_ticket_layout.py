"""The ticket's byte stream: what a printer receives, checked byte by byte."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall_common.personal_data import scrub as mask_personal
from hardware.printer import LayoutOptions, TicketSlip, build_ticket
from hardware.printer.codes import CELL_HEIGHT, text_columns
from hardware.printer.commands import sample_slip
from hardware.printer.printable import printable
from hardware.printer.ticket_layout import wrap, wrap_balanced

URL = "https://zwfw.jinan.example/api/v1/track/t8f3a2c?k=Zx81kqP2"
CHINESE_RUN = re.compile(rb"\x1c&(.*?)\x1c\.", re.S)


def slip(**changes: object) -> TicketSlip:
    return replace(sample_slip("zh"), **{"track_url": URL, **changes})


def test_stream_starts_from_a_known_state_and_ends_with_one_cut() -> None:
    data = build_ticket(slip())
    assert data.startswith(b"\x1b@\x1c.")  # ESC @, then Chinese mode off whatever the printer had
    assert data.endswith(b"\x1dVA\x18")  # feed to the cutter + 24 dots, full cut
    assert data.count(b"\x1dV") == 1


def test_chinese_text_is_gb18030_inside_chinese_mode_commands() -> None:
    data = build_ticket(slip())
    assert b"\x1c&" + "济南市政务服务中心".encode("gb18030") + b"\x1c." in data
    assert b"\x1c&" + "请留意 1-5号窗口".encode("gb18030") + b"\x1c." in data
    # Outside FS & ... FS . every byte is 7-bit: nothing depends on the printer's power-on mode.
    outside = CHINESE_RUN.sub(b"", data)
    assert max(outside) < 0x80
    for run in CHINESE_RUN.findall(data):
        run.decode("gb18030")  # each run is whole characters


def test_ascii_only_text_is_sent_plainly() -> None:
    data = build_ticket(replace(sample_slip("en"), track_url=URL))
    assert b"Waiting ahead: " in data
    assert b"\x1c&" not in data  # an all-English ticket needs no Chinese mode at all


@pytest.mark.parametrize("paper_dots", [576, 384])
@pytest.mark.parametrize("number", ["A012", "A1000", "AB1000", "AB100000", "AB1000000000"])
def test_number_is_at_least_8_mm_tall(paper_dots: int, number: str) -> None:
    data = build_ticket(slip(number=number), LayoutOptions(paper_dots=paper_dots))
    match = re.search(rb"\x1d!(.)\x1bE\x01" + number.encode() + b"\n", data, re.S)
    assert match, "number must be printed right after its GS ! size"
    width = (match.group(1)[0] >> 4) + 1
    height = (match.group(1)[0] & 7) + 1
    assert height * CELL_HEIGHT >= 64  # 8 mm at 203 dpi
    assert len(number) * 12 * width <= paper_dots  # and it still fits on one line


def test_native_qr_sequence_has_correct_lengths() -> None:
    data = build_ticket(slip())
    url = URL.encode()
    store = len(url) + 3
    expected = (
        b"\x1d(k\x04\x001A2\x00"  # model 2
        b"\x1d(k\x03\x001C\x06"  # module 6 dots
        b"\x1d(k\x03\x001E1"  # error correction M
        + b"\x1d(k" + bytes([store & 0xFF, store >> 8]) + b"1P0" + url
        + b"\x1d(k\x03\x001Q0"  # print
    )
    assert expected in data


def test_raster_qr_mode_sends_an_image_instead_of_gs_k() -> None:
    data = build_ticket(slip(), LayoutOptions(qr_mode="raster"))
    assert b"\x1d(k" not in data
    assert b"\x1dv0\x00" in data
    assert b"\x1d(k" not in build_ticket(slip(), LayoutOptions(qr_mode="none"))
    assert b"\x1d(k" not in build_ticket(slip(track_url=None))


def test_green_channel_ticket_has_a_reversed_banner() -> None:
    data = build_ticket(slip(priority_green=True))
    banner = re.search(rb"\x1dB\x01\x1c&(.*?)\x1c\.\n\x1dB\x00", data, re.S)
    assert banner and "绿色通道" in banner.group(1).decode("gb18030")
    assert len(banner.group(1)) == 24  # padded to the full width at double size: a solid bar
    assert b"\x1dB\x01" not in build_ticket(slip())
    narrow = build_ticket(replace(sample_slip("en", green=True), track_url=URL), LayoutOptions(paper_dots=384))
    bar = re.search(rb"\x1dB\x01(.*?)\x1dB\x00", narrow, re.S)
    assert bar and bar.group(1) == b" GREEN CHANNEL  \n    PRIORITY    \n"


def test_personal_data_is_masked_even_when_given_whole() -> None:
    data = build_ticket(slip(masked_holder="张三 370102199001011234", item_name="联系电话13812345678"))
    text = b"".join(CHINESE_RUN.findall(data)).decode("gb18030") + CHINESE_RUN.sub(b"", data).decode("latin-1")
    assert "370102199001011234" not in text and "13812345678" not in text
    assert "3701**********1234" in text and "138****5678" in text


def test_control_characters_in_names_cannot_inject_commands() -> None:
    data = build_ticket(slip(hall_name="济南\x1bp\x00\x19\x1dV\x00中心", queue_name="企业\x1c.开办"))
    assert b"\x1bp" not in data  # a drawer kick
    assert data.count(b"\x1dV") == 1  # only our own cut
    assert b"\x1c&" + "济南pV中心".encode("gb18030") + b"\x1c." in data


def test_channel_label_and_an_unknown_channel() -> None:
    assert "鲁通码取号".encode("gb18030") in build_ticket(slip(channel="lutong"))
    assert "取号方式".encode("gb18030") not in build_ticket(slip(channel="kiosk_v2"))


def test_wait_and_time_lines() -> None:
    issued = datetime(2026, 11, 22, 1, 31, tzinfo=UTC)  # 09:31 in Jinan
    data = build_ticket(slip(issued_at=issued, estimated_wait_s=4900, waiting_ahead=12))
    text = b"".join(CHINESE_RUN.findall(data)).decode("gb18030")
    assert "约 1 小时 22 分钟" in text and "12 人" in text
    assert b"2026-11-22 09:31" in data
    no_estimate = build_ticket(slip(estimated_wait_s=None))
    assert "预计等待".encode("gb18030") not in no_estimate


@pytest.mark.parametrize(
    "changes, complaint",
    [
        ({"issued_at": datetime(2026, 11, 22, 9, 31)}, "timezone-aware"),
        ({"waiting_ahead": -1}, "waiting_ahead"),
        ({"estimated_wait_s": 1.5}, "estimated_wait_s"),
        ({"track_url": "/api/v1/track/x?k=1"}, "absolute"),
        ({"track_url": "javascript:alert(1)"}, "absolute"),
        ({"channel": "Walk-In!"}, "channel"),
        ({"number": "A 12"}, "number"),
        ({"number": ""}, "number"),
        ({"hall_name": "  "}, "hall_name"),
        ({"language": "fr"}, "language"),
        ({"footer_lines": "one string"}, "footer_lines"),
        ({"item_name": "x" * 201}, "item_name"),
    ],
)
def test_bad_slips_are_refused_clearly(changes: dict[str, object], complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        slip(**changes)


def test_slip_from_the_servers_ticket_json_resolves_a_relative_track_url() -> None:
    ticket = {"id": "t1", "number": "A012", "queue": "A", "channel": "lutong", "status": "waiting",
              "issued_at": "2026-11-22T09:31:00+08:00", "waiting_ahead": 3, "estimated_wait_s": None,
              "track_url": "/api/v1/track/t1?k=s3cret"}
    made = TicketSlip.from_ticket_json(ticket, hall_name="济南市政务服务中心", queue_name="企业开办",
                                       windows_text="请留意 1-5号窗口",
                                       server_base_url="https://hall.example/")
    assert made.track_url == "https://hall.example/api/v1/track/t1?k=s3cret"
    assert made.issued_at.utcoffset() == timedelta(hours=8) and made.channel == "lutong"
    with pytest.raises(ValueError, match="waiting_ahead"):
        TicketSlip.from_ticket_json({k: v for k, v in ticket.items() if k != "waiting_ahead"},
                                    hall_name="h", queue_name="q", windows_text="w",
                                    server_base_url="https://hall.example/")


def test_masking_and_printable() -> None:
    assert mask_personal("身份证 37010219900101123X") == "身份证 3701**********123X"
    assert mask_personal("tel 13800001234.") == "tel 138****1234."
    assert mask_personal("0531-86012345 and 12345") == "0531-86012345 and 12345"
    assert mask_personal("1234567890123456789") == "1234567890123456789"  # 19 digits: not an id
    assert printable("a\tb\x1b\x00c\u200b") == "a bc"


@given(st.text(alphabet="济南市政务服务中心 abcdefg ABC-123：（）", max_size=80), st.integers(4, 48))
def test_wrap_never_overflows_and_loses_nothing(text: str, columns: int) -> None:
    for wrapper in (wrap, wrap_balanced):
        lines = wrapper(text, columns)
        assert all(text_columns(line) <= columns for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_layout_options_are_validated() -> None:
    with pytest.raises(ValueError, match="paper_dots"):
        LayoutOptions(paper_dots=100)
    with pytest.raises(ValueError, match="qr_mode"):
        LayoutOptions(qr_mode="bitmap")  # type: ignore[arg-type]
    with pytest.raises(Exception, match="Mars"):
        LayoutOptions(timezone="Mars/Olympus")
