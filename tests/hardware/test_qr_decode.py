"""QR codes made with `qrcode` (as tickets and phones show them) are read back, also when
rotated, seen at an angle, blurred or inside a real photo; bad payloads give clear errors."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from camera_fixtures import perspective, qr_image, qr_png, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from faces.errors import FrameError
from hardware.camera.qr import MAX_PAYLOAD_BYTES, QRDecoder, QRPayloadError, check_payload, undo_latin1
from tests.faces.face_photos import astronaut, blur, noisy, rotate

LUTONG = "LTM:3701:9f2c1e7a-5d1b-4c2e-8e0f-2a1b3c4d5e6f"  # the shape of a 鲁通码 token


@pytest.fixture(scope="module")
def decoder() -> QRDecoder:
    return QRDecoder()


def test_wechat_reader_works_without_model_files(decoder: QRDecoder) -> None:
    assert decoder.reader_names == ["wechat", "aruco", "classic"]
    name, read = decoder.readers[0]
    assert read(qr_image("hello")) == "hello"


@pytest.mark.parametrize("text", [LUTONG, "预约号:A0012 济南市政务服务中心", "x", "https://example.cn/t?id=1"])
def test_round_trip(decoder: QRDecoder, text: str) -> None:
    assert decoder.decode(qr_image(text)) == text


@pytest.mark.parametrize("name, change", [
    ("rotated 30", lambda i: rotate(cv2.copyMakeBorder(i, 60, 60, 60, 60, cv2.BORDER_CONSTANT,
                                                      value=255), 30)),
    ("rotated 90", lambda i: cv2.rotate(i, cv2.ROTATE_90_CLOCKWISE)),
    ("at an angle", lambda i: perspective(i, 0.15)),
    ("blurred", lambda i: blur(i, 1.5)),
    ("noisy", lambda i: noisy(i, 25.0)),
    ("small", lambda i: cv2.resize(i, None, fx=0.35, fy=0.35, interpolation=cv2.INTER_AREA)),
    ("dim, low contrast", lambda i: cv2.convertScaleAbs(i, alpha=0.35, beta=40)),
])
def test_distorted_codes_are_read(decoder: QRDecoder, name: str, change: object) -> None:
    img = change(qr_image(LUTONG))  # type: ignore[operator]
    assert decoder.decode(img) == LUTONG, name


def test_code_held_up_inside_a_real_photo(decoder: QRDecoder) -> None:
    photo = astronaut().copy()
    code = cv2.cvtColor(cv2.resize(qr_image(LUTONG, box_size=4), (180, 180)), cv2.COLOR_GRAY2BGR)
    photo[300:480, 300:480] = code
    assert decoder.decode(photo) == LUTONG


def test_each_fallback_reader_alone_reads_a_clean_code() -> None:
    for name, read in QRDecoder().readers:
        only = QRDecoder(readers=[(name, read)])
        assert only.decode(qr_image("济南")) == "济南", name


def test_no_code_gives_none(decoder: QRDecoder) -> None:
    assert decoder.decode(astronaut()) is None
    assert decoder.decode(np.full((480, 640), 255, np.uint8)) is None


@pytest.mark.parametrize("payload", [b"\xff\xfe\x80abc", "张三".encode("gbk")])
def test_non_utf8_payload_is_refused(decoder: QRDecoder, payload: bytes) -> None:
    with pytest.raises(QRPayloadError, match="not UTF-8") as err:
        decoder.decode(qr_image(payload))
    assert "二维码" in err.value.message_zh


def test_non_utf8_payload_is_refused_by_the_fallback_readers_too() -> None:
    readers = QRDecoder().readers[1:]
    with pytest.raises(QRPayloadError, match="not UTF-8"):
        QRDecoder(readers=readers).decode(qr_image(b"\xc0\xc1 not utf-8"))


def test_oversized_payload_is_refused(decoder: QRDecoder) -> None:
    # Numeric mode packs 5000 digits (> 4 KB) into one version-40 code.
    digits = "".join(str(i % 10) for i in range(5000))
    img = qr_image(digits, box_size=3, error_correction=qrcode.constants.ERROR_CORRECT_L)
    with pytest.raises(QRPayloadError, match="too large") as err:
        decoder.decode(img)
    assert err.value.message_zh == "二维码内容过长，请出示正确的二维码"


def test_payload_checks() -> None:
    assert check_payload("ok") == "ok"
    assert check_payload(b"ok") == "ok"
    with pytest.raises(QRPayloadError, match="too large"):
        check_payload("a" * (MAX_PAYLOAD_BYTES + 1))
    with pytest.raises(QRPayloadError, match="NUL"):
        check_payload("a\x00b")


def test_bad_frames_are_refused(decoder: QRDecoder) -> None:
    with pytest.raises(FrameError):
        decoder.decode(np.zeros((480, 640), np.float64))
    with pytest.raises(FrameError):
        decoder.decode(None)


def test_cli_prints_the_text_alone_on_its_last_line(tmp_path: Path) -> None:
    png = qr_png(tmp_path / "code.png", "预约号:A0012")
    code, out, err = run_cli("decode-qr", str(png), in_process=False)  # the real `python -m`
    assert code == 0, err
    assert out.splitlines()[-1] == "预约号:A0012"


def test_cli_exits_1_without_a_code_and_2_on_a_bad_file(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), astronaut())
    assert run_cli("decode-qr", str(photo))[0] == 1
    bad = qr_png(tmp_path / "bad.png", b"\xff\xfe\x80abc")
    code, out, _ = run_cli("decode-qr", str(bad))
    assert code == 1 and "not UTF-8" in out
    code, _, err = run_cli("decode-qr", str(tmp_path / "none.png"))
    assert code == 2 and "not found" in err


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_any_payload_is_text_or_a_clear_refusal(data: bytes) -> None:
    try:
        text = check_payload(data)
    except QRPayloadError as exc:
        assert exc.message_zh.startswith("二维码")
        return
    assert text.encode("utf-8") == data and "\x00" not in text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_utf8_text_survives_the_latin1_repair_unless_latin1_only(text: str) -> None:
    data = text.encode("utf-8")
    repaired = undo_latin1(data)
    if text.isascii() or any(ord(c) > 255 for c in text):
        assert repaired == data  # ASCII codes and anything with Chinese are left alone
    else:  # Latin-1-only: taken as OpenCV's re-encoding of raw bytes
        raw = text.encode("latin-1")
        assert repaired in (raw, data)
        assert (repaired == data) == _is_utf8(raw)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=40))
def test_opencv_latin1_reencoding_is_undone(raw: bytes) -> None:
    # What cv2.QRCodeDetector returns for a byte payload that is not valid UTF-8.
    try:
        raw.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    assert undo_latin1(raw.decode("latin-1").encode("utf-8")) == raw
