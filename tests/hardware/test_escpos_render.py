"""The ESC/POS renderer: tickets become pictures whose QR codes a phone (OpenCV here) can read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageDraw

from hardware.printer import LayoutOptions, build_ticket, codes
from hardware.printer.commands import sample_slip
from hardware.printer.render import RenderError, render

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
URL = "https://zwfw.jinan.example/api/v1/track/t8f3a2c?k=Zx81kqP2"


def decode_qr(path: Path) -> str:
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    texts, _ = cv2.wechat_qrcode_WeChatQRCode().detectAndDecode(image)
    return texts[0] if texts else cv2.QRCodeDetector().detectAndDecode(image)[0]


@pytest.mark.parametrize(
    "name, language, green, options",
    [
        ("zh-80mm-native-qr", "zh", False, LayoutOptions()),
        ("en-80mm-native-qr", "en", False, LayoutOptions()),
        ("zh-green-80mm-raster-qr", "zh", True, LayoutOptions(qr_mode="raster")),
        ("zh-58mm-native-qr", "zh", False, LayoutOptions(paper_dots=384)),
        ("en-green-58mm-raster-qr", "en", True, LayoutOptions(paper_dots=384, qr_mode="raster")),
    ],
)
def test_rendered_ticket_qr_decodes_to_the_track_url(name: str, language: str, green: bool,
                                                     options: LayoutOptions) -> None:
    slip = replace(sample_slip(language, green), track_url=URL)
    result = render(build_ticket(slip, options), paper_dots=options.paper_dots)
    path = result.save(ARTIFACTS / f"ticket-{name}.png")
    assert result.warnings == [] and result.cuts == 1
    assert decode_qr(path) == URL


def test_same_picture_whether_the_printer_starts_in_chinese_mode_or_not() -> None:
    data = build_ticket(replace(sample_slip("zh", green=True), track_url=URL))
    plain = render(data, start_in_chinese_mode=False).image
    chinese = render(data, start_in_chinese_mode=True).image
    assert ImageChops.difference(plain, chinese).getbbox() is None


def test_chinese_mode_matters_and_hanzi_are_drawn() -> None:
    hanzi = "号票".encode("gb18030")
    proper = render(codes.CHINESE_ON + hanzi + codes.CHINESE_OFF + b"\n").image
    without_mode = render(hanzi + b"\n").image  # GB18030 sent as code page 437: garbage glyphs
    other = render(codes.text("窗口") + b"\n").image
    assert ImageChops.difference(proper, without_mode).getbbox() is not None
    assert ImageChops.difference(proper, other).getbbox() is not None
    # Real glyphs: a fair amount of ink in the first full-width cell, not an empty box outline.
    cell = np.asarray(proper)[16 + 24 : 16 + 48, 16 + 24 : 16 + 48]
    assert (cell < 128).sum() > 60


def ink_height(image: Image.Image) -> int:
    rows = np.where((np.asarray(image) < 128).any(axis=1))[0]
    return int(rows.max() - rows.min() + 1)


def test_the_ticket_number_prints_at_least_8_mm_of_ink() -> None:
    # The layout never goes below GS ! 4x for the number (test_ticket_layout checks the bytes).
    assert ink_height(render(codes.size(4, 4) + b"A012\n").image) >= 64
    assert ink_height(render(codes.size(5, 5) + b"A012\n").image) >= 80
    assert ink_height(render(b"A012\n").image) < 24


def test_raster_image_round_trip() -> None:
    picture = Image.new("1", (100, 300), 1)
    ImageDraw.Draw(picture).ellipse((10, 10, 90, 290), fill=0)
    result = render(codes.raster(picture))
    printed = np.asarray(result.image.crop((40, 40, 140, 340))) < 128  # picture margins: 16 + 24
    assert (printed == ~np.asarray(picture)).all()
    assert result.warnings == []


def test_barcode_is_drawn() -> None:
    data = b"\x1dh\x50\x1dw\x02\x1dH\x02\x1dkI\x0a{BA012-2026" + b"\n"
    result = render(data)
    assert result.warnings == []
    assert (np.asarray(result.image) < 128).sum() > 1000


def test_unknown_commands_are_skipped_and_flagged() -> None:
    result = render(b"\x1b\x7fA\n\x1d\x99B\n\x1bt\x00C\n\x07\x1dv1\n")
    assert any("unknown command ESC 0x7f" in w for w in result.warnings)
    assert any("unknown command GS 0x99" in w for w in result.warnings)
    assert any("control byte 0x07" in w for w in result.warnings)
    assert any("GS v 1" in w for w in result.warnings)


@pytest.mark.parametrize(
    "data, where",
    [
        (b"\x1dv0\x00\x10\x00\x10\x00" + b"\xff" * 20, "GS v 0 image data"),
        (b"\x1d(k\x20\x001P0http", "GS ( k"),
        (b"\x1b", "a command after 0x1b"),
        (b"\x1d!", "GS !"),
        (b"\x1c&\xb9", "a GB18030 character"),
        (b"\x1dk\x04123", "no NUL"),
    ],
)
def test_truncated_streams_give_a_clear_error(data: bytes, where: str) -> None:
    with pytest.raises(RenderError, match="stream ends inside"):
        render(data)
    with pytest.raises(RenderError, match=where.replace("(", r"\(")):
        render(data)


def test_absurdly_long_streams_are_refused() -> None:
    with pytest.raises(RenderError, match="longer than"):
        render(b"\x1bJ\xff" * 200)
    with pytest.raises(TypeError):
        render("text")  # type: ignore[arg-type]


def test_every_cut_of_a_real_ticket_renders_or_fails_clearly() -> None:
    data = build_ticket(replace(sample_slip("zh", green=True), track_url=URL), LayoutOptions(qr_mode="raster"))
    for end in range(0, len(data), 97):
        try:
            render(data[:end])
        except RenderError:
            pass


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_never_crashes_the_renderer(data: bytes) -> None:
    try:
        result = render(data)
    except RenderError:
        return
    assert result.image.width == 576 + 2 * (16 + 24)


names = st.text(min_size=1, max_size=60).filter(lambda s: s.strip() and s.isprintable())


@settings(max_examples=60, deadline=None)
@given(hall=names, queue=names, item=st.none() | names, windows=names, waiting=st.integers(0, 10_000),
       wait=st.none() | st.integers(0, 10**7), green=st.booleans(), narrow=st.booleans())
def test_any_valid_slip_renders_cleanly(hall: str, queue: str, item: str | None, windows: str,
                                        waiting: int, wait: int | None, green: bool, narrow: bool) -> None:
    slip = replace(sample_slip("zh"), hall_name=hall, queue_name=queue, item_name=item,
                   windows_text=windows, waiting_ahead=waiting, estimated_wait_s=wait,
                   priority_green=green)
    options = LayoutOptions(paper_dots=384 if narrow else 576)
    result = render(build_ticket(slip, options), paper_dots=options.paper_dots)
    assert result.warnings == [] and result.cuts == 1
