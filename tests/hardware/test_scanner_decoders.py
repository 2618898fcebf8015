"""Scanner decoding from recorded input-event streams and serial byte streams, with the
timestamps the events carry (no clocks, no devices)."""

from __future__ import annotations

import logging

import pytest
from evdev import ecodes as e
from hypothesis import given
from hypothesis import strategies as st

from hardware.scanner import KeyEventDecoder, ScanBuffer, SerialLineDecoder
from hardware.scanner.keymap import KEYS

Event = tuple[int, int, int, float]

# The shape `evtest` records for a wedge scanner reading "Ab1": each key press is announced by
# an MSC_SCAN (HID usage), and each report closes with SYN_REPORT; Shift wraps the capital.
T0 = 1795000000.0
RECORDED_AB1: list[Event] = [
    (e.EV_MSC, e.MSC_SCAN, 0x700E1, T0), (e.EV_KEY, e.KEY_LEFTSHIFT, 1, T0), (e.EV_SYN, 0, 0, T0),
    (e.EV_MSC, e.MSC_SCAN, 0x70004, T0 + 0.002), (e.EV_KEY, e.KEY_A, 1, T0 + 0.002),
    (e.EV_SYN, 0, 0, T0 + 0.002),
    (e.EV_MSC, e.MSC_SCAN, 0x70004, T0 + 0.004), (e.EV_KEY, e.KEY_A, 0, T0 + 0.004),
    (e.EV_SYN, 0, 0, T0 + 0.004),
    (e.EV_MSC, e.MSC_SCAN, 0x700E1, T0 + 0.006), (e.EV_KEY, e.KEY_LEFTSHIFT, 0, T0 + 0.006),
    (e.EV_SYN, 0, 0, T0 + 0.006),
    (e.EV_MSC, e.MSC_SCAN, 0x70005, T0 + 0.008), (e.EV_KEY, e.KEY_B, 1, T0 + 0.008),
    (e.EV_SYN, 0, 0, T0 + 0.008),
    (e.EV_MSC, e.MSC_SCAN, 0x70005, T0 + 0.010), (e.EV_KEY, e.KEY_B, 0, T0 + 0.010),
    (e.EV_SYN, 0, 0, T0 + 0.010),
    (e.EV_MSC, e.MSC_SCAN, 0x7001E, T0 + 0.012), (e.EV_KEY, e.KEY_1, 1, T0 + 0.012),
    (e.EV_SYN, 0, 0, T0 + 0.012),
    (e.EV_MSC, e.MSC_SCAN, 0x7001E, T0 + 0.014), (e.EV_KEY, e.KEY_1, 0, T0 + 0.014),
    (e.EV_SYN, 0, 0, T0 + 0.014),
    (e.EV_MSC, e.MSC_SCAN, 0x70028, T0 + 0.016), (e.EV_KEY, e.KEY_ENTER, 1, T0 + 0.016),
    (e.EV_SYN, 0, 0, T0 + 0.016),
    (e.EV_MSC, e.MSC_SCAN, 0x70028, T0 + 0.018), (e.EV_KEY, e.KEY_ENTER, 0, T0 + 0.018),
    (e.EV_SYN, 0, 0, T0 + 0.018),
]

_BY_CHAR: dict[str, tuple[int, bool]] = {}
for _code, (_plain, _shifted) in sorted(KEYS.items(), reverse=True):  # main keys beat keypad
    _BY_CHAR.setdefault(_plain, (_code, False))
    _BY_CHAR.setdefault(_shifted, (_code, True))


def typed(text: str, start: float = T0, gap: float = 0.003, enter: bool = True) -> list[Event]:
    """The events a wedge scanner emits for `text` (US layout), one key every `gap` seconds."""
    events: list[Event] = []
    t = start
    for ch in text:
        code, shift = _BY_CHAR[ch]
        if shift:
            events.append((e.EV_KEY, e.KEY_LEFTSHIFT, 1, t))
        events += [(e.EV_KEY, code, 1, t), (e.EV_SYN, 0, 0, t), (e.EV_KEY, code, 0, t + gap / 2)]
        if shift:
            events.append((e.EV_KEY, e.KEY_LEFTSHIFT, 0, t + gap / 2))
        t += gap
    if enter:
        events += [(e.EV_KEY, e.KEY_ENTER, 1, t), (e.EV_KEY, e.KEY_ENTER, 0, t + gap / 2)]
    return events


def decode(decoder: KeyEventDecoder, events: list[Event]) -> list[str]:
    scans = [decoder.feed(*event) for event in events]
    return [s for s in scans if s is not None]


def test_recorded_stream_gives_one_scan() -> None:
    assert decode(KeyEventDecoder(), RECORDED_AB1) == ["Ab1"]


def test_url_qr_code_with_shifted_symbols() -> None:
    code = 'https://ems.sd.gov.cn/q?t=A1&n=%E5"x"~{|}<>_+:!@#$^*()'
    assert decode(KeyEventDecoder(), typed(code)) == [code]


@given(st.text(alphabet=sorted(c for c in _BY_CHAR if c not in "\t"), min_size=1, max_size=200))
def test_any_printable_ascii_survives(text: str) -> None:
    assert decode(KeyEventDecoder(), typed(text)) == [text]


def test_each_scan_is_delivered_whole_and_separately() -> None:
    events = typed("FIRST-1") + typed("second_2", start=T0 + 1)
    assert decode(KeyEventDecoder(), events) == ["FIRST-1", "second_2"]


def test_capslock_and_keypad() -> None:
    events = [(e.EV_KEY, e.KEY_CAPSLOCK, 1, T0), (e.EV_KEY, e.KEY_CAPSLOCK, 0, T0)]
    events += [(e.EV_KEY, e.KEY_A, 1, T0), (e.EV_KEY, e.KEY_LEFTSHIFT, 1, T0),
               (e.EV_KEY, e.KEY_B, 1, T0), (e.EV_KEY, e.KEY_LEFTSHIFT, 0, T0),
               (e.EV_KEY, e.KEY_KP7, 1, T0), (e.EV_KEY, e.KEY_KPENTER, 1, T0)]
    assert decode(KeyEventDecoder(), events) == ["Ab7"]


def test_ctrl_chords_and_autorepeat_add_nothing() -> None:
    events = [(e.EV_KEY, e.KEY_LEFTCTRL, 1, T0), (e.EV_KEY, e.KEY_V, 1, T0),
              (e.EV_KEY, e.KEY_V, 0, T0), (e.EV_KEY, e.KEY_LEFTCTRL, 0, T0),
              (e.EV_KEY, e.KEY_X, 1, T0), (e.EV_KEY, e.KEY_X, 2, T0), (e.EV_KEY, e.KEY_X, 2, T0),
              (e.EV_KEY, e.KEY_ENTER, 1, T0)]
    assert decode(KeyEventDecoder(), events) == ["x"]


def test_partial_scan_is_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    decoder = KeyEventDecoder(char_timeout=0.3)
    broken = typed("37010", enter=False)  # the scan broke off here ...
    later = typed("ABC", start=T0 + 5)  # ... and a whole one came much later
    with caplog.at_level(logging.WARNING):
        assert decode(decoder, broken + later) == ["ABC"]
    assert decoder.buffer.discarded_partial == 1
    assert "partial scan of 5 characters" in caplog.text


def test_partial_scan_expires_when_nothing_more_comes() -> None:
    decoder = KeyEventDecoder(char_timeout=0.3)
    events = typed("HALF", enter=False)
    decode(decoder, events)
    last = events[-1][3]
    assert not decoder.expire(last + 0.1)
    assert decoder.expire(last + 0.5)
    # An Enter arriving after that ends an empty scan: nothing is delivered.
    assert decoder.feed(e.EV_KEY, e.KEY_ENTER, 1, last + 0.6) is None


def test_slow_typing_on_the_wedge_never_forms_a_scan() -> None:
    assert decode(KeyEventDecoder(char_timeout=0.3), typed("1234", gap=1.0)) == []


def test_oversized_scan_is_dropped_and_the_next_one_works(caplog: pytest.LogCaptureFixture) -> None:
    decoder = KeyEventDecoder(max_length=32)
    with caplog.at_level(logging.WARNING):
        scans = decode(decoder, typed("x" * 100) + typed("ok", start=T0 + 2))
    assert scans == ["ok"]
    assert decoder.buffer.discarded_oversized == 1
    assert "longer than 32" in caplog.text


def test_unknown_keys_are_skipped() -> None:
    decoder = KeyEventDecoder()
    events = [(e.EV_KEY, e.KEY_A, 1, T0), (e.EV_KEY, e.KEY_F5, 1, T0),
              (e.EV_KEY, e.KEY_B, 1, T0), (e.EV_KEY, e.KEY_ENTER, 1, T0)]
    assert decode(decoder, events) == ["ab"]
    assert decoder.unknown_keys == 1


# --- serial lines ---------------------------------------------------------------------------


def feed_all(decoder: SerialLineDecoder, chunks: list[tuple[bytes, float]]) -> list[str]:
    out: list[str] = []
    for data, at in chunks:
        out += decoder.feed(data, at)
    return out


@pytest.mark.parametrize("ending", [b"\r", b"\n", b"\r\n"])
def test_serial_lines_with_any_ending(ending: bytes) -> None:
    chunks = [(b"LTM:3701:ab" , 0.0), (b"cd" + ending + b"SECOND" + ending, 0.01)]
    assert feed_all(SerialLineDecoder(), chunks) == ["LTM:3701:abcd", "SECOND"]


def test_serial_chinese_in_utf8_and_gbk() -> None:
    decoder = SerialLineDecoder()
    text = "济南市政务服务中心"
    assert decoder.feed(text.encode("utf-8") + b"\r\n", 0.0) == [text]
    assert decoder.feed(text.encode("gbk") + b"\r\n", 1.0) == [text]


def test_serial_control_bytes_around_a_code_are_removed() -> None:
    assert SerialLineDecoder().feed(b"\x02CODE128\x03\r", 0.0) == ["CODE128"]


def test_serial_partial_line_is_dropped_after_a_gap() -> None:
    decoder = SerialLineDecoder(char_timeout=0.3)
    assert feed_all(decoder, [(b"BROK", 0.0), (b"WHOLE\r\n", 2.0)]) == ["WHOLE"]
    assert decoder.buffer.discarded_partial == 1


def test_serial_oversized_line_is_capped() -> None:
    decoder = SerialLineDecoder(max_length=16)
    chunks = [(b"9" * 10, 0.0), (b"9" * 10, 0.01), (b"9" * 1000 + b"\r\nfine\r\n", 0.02)]
    assert feed_all(decoder, chunks) == ["fine"]
    assert decoder.buffer.discarded_oversized == 1


@given(st.lists(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x9FFF,
                                               blacklist_categories=("Cs",)),
                        min_size=1, max_size=40), min_size=1, max_size=5),
       st.integers(min_value=1, max_value=17))
def test_serial_lines_survive_any_chunking(lines: list[str], size: int) -> None:
    stream = b"".join(line.encode("utf-8") + b"\r\n" for line in lines)
    chunks = [(stream[i : i + size], 0.0) for i in range(0, len(stream), size)]
    assert feed_all(SerialLineDecoder(), chunks) == lines


def test_buffer_refuses_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        ScanBuffer(max_length=0)
