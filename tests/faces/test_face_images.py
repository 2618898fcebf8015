"""Frames and image files: anything that is not a usable picture is refused with a clear error."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from faces.errors import FrameError
from faces.images import MAX_FILE_BYTES, decode_image_bytes, load_image, validate_frame
from tests.faces.face_photos import astronaut


def test_valid_colour_and_gray_frames_pass_through() -> None:
    img = astronaut()
    assert validate_frame(img).shape == (512, 512, 3)
    assert validate_frame(img[:, :, 0]).shape == (512, 512)
    assert validate_frame(img[:, :, :1]).shape == (512, 512)


def test_bgra_loses_its_alpha_plane() -> None:
    bgra = np.dstack([astronaut(), np.full((512, 512), 255, np.uint8)])
    assert np.array_equal(validate_frame(bgra), astronaut())


@pytest.mark.parametrize("bad, words", [
    (None, "no image"),
    ("a picture", "numpy array"),
    (np.zeros((0, 0, 3), np.uint8), "empty"),
    (np.zeros((480, 640, 3), np.float32), "uint8"),
    (np.zeros((480, 640, 3), np.uint16), "uint8"),
    (np.zeros((480, 640, 2), np.uint8), "shape"),
    (np.zeros((4, 480, 640, 3), np.uint8), "shape"),
    (np.zeros((8, 8, 3), np.uint8), "too small"),
    (np.zeros((20, 9000), np.uint8), "too large"),
])
def test_bad_frames_are_refused_with_the_reason(bad: object, words: str) -> None:
    with pytest.raises(FrameError, match=words):
        validate_frame(bad)


def test_absurd_pixel_count_is_refused_without_allocating() -> None:
    # A broadcast view: 8000 x 8000 looks like 192 MB but takes none.
    huge = np.broadcast_to(np.zeros((1, 1, 3), np.uint8), (8000, 8000, 3))
    with pytest.raises(FrameError, match="too large"):
        validate_frame(huge)


def _png_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img[:, :, ::-1]).save(buf, format="PNG")
    return buf.getvalue()


def _jpeg_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img[:, :, ::-1]).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def test_image_files_load_as_bgr(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(_png_bytes(astronaut()))
    assert np.array_equal(load_image(path), astronaut())


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_jpeg_and_png_are_refused(tmp_path: Path, cut: float) -> None:
    for name, data in (("t.jpg", _jpeg_bytes(astronaut())), ("t.png", _png_bytes(astronaut()))):
        path = tmp_path / name
        path.write_bytes(data[: int(len(data) * cut)])
        with pytest.raises(FrameError, match="corrupt or truncated"):
            load_image(path)


def test_corrupt_missing_empty_and_directory(tmp_path: Path) -> None:
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg" * 10)
    with pytest.raises(FrameError, match="corrupt"):
        load_image(junk)
    with pytest.raises(FrameError, match="not found") as err:
        load_image(tmp_path / "missing.png")
    assert err.value.message_zh == "找不到图像文件"
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(FrameError, match="empty"):
        load_image(empty)
    with pytest.raises(FrameError, match="not a file"):
        load_image(tmp_path)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    with pytest.raises(FrameError, match="too large"):
        load_image(big)


def test_huge_dimensions_in_a_small_file_are_refused(tmp_path: Path) -> None:
    # A "decompression bomb": a tiny PNG that claims 20000 x 20000 pixels.
    path = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(path)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(FrameError, match="too large"):
        load_image(path)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        img = decode_image_bytes(data)
    except FrameError:
        return
    assert img.dtype == np.uint8


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 20_000))
def test_any_cut_of_a_real_jpeg_loads_or_fails_cleanly(cut: int) -> None:
    data = _jpeg_bytes(astronaut())[:cut]
    try:
        img = decode_image_bytes(data)
    except FrameError:
        return
    assert img.shape == (512, 512, 3)


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(dtype=st.sampled_from([np.uint8, np.int16, np.float32, np.bool_]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=40)))
def test_any_array_is_a_valid_frame_or_a_frame_error(arr: np.ndarray) -> None:
    try:
        frame = validate_frame(arr)
    except FrameError:
        return
    assert frame.dtype == np.uint8 and frame.flags.c_contiguous
    assert frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 3)
    assert min(frame.shape[:2]) >= 16
