"""Haar face detection on real photos, the quality verdict a citizen is given, and the
`faces` command."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from camera_fixtures import astronaut, blur, grace_hopper, group_photo, light, run_cli, tom_hanks
from hardware.camera.embedding import LbpEmbedder
from hardware.camera.errors import CameraInputError
from hardware.camera.faces import FaceBox, FaceDetector
from hardware.camera.frames import FrameError
from hardware.camera.liveness import MotionLivenessCheck
from hardware.camera.quality import (BLURRED, NOT_FRONTAL, TOO_BRIGHT, TOO_DARK, TOO_SMALL,
                                     assess_quality)

@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.mark.parametrize("photo", [astronaut, grace_hopper, tom_hanks])
def test_one_face_in_each_portrait(detector: FaceDetector, photo: object) -> None:
    img = photo()  # type: ignore[operator]
    faces = detector.detect(img)
    assert len(faces) == 1
    f = faces[0]
    # The face sits in the upper middle of these portraits.
    assert 0.1 < (f.x + f.w / 2) / img.shape[1] < 0.9 and f.y < img.shape[0] / 2


def test_astronaut_face_box_and_eyes(detector: FaceDetector) -> None:
    face = detector.detect(astronaut())[0]
    assert 160 <= face.x <= 195 and 50 <= face.y <= 85 and 85 <= face.w <= 110
    assert face.eyes is not None and abs(face.eye_angle or 99) < 10


def test_group_photo_with_a_full_resolution_detector() -> None:
    img = group_photo()
    faces = FaceDetector(detect_width=img.shape[1], min_face_fraction=0.05).detect(img)
    assert 4 <= len(faces) <= 6
    assert [f.area for f in faces] == sorted((f.area for f in faces), reverse=True)


def test_no_face_in_a_blank_frame_or_a_qr_code(detector: FaceDetector) -> None:
    assert detector.detect(np.full((480, 640, 3), 128, np.uint8)) == []
    rng = np.random.default_rng(0)
    assert detector.detect(rng.integers(0, 255, (480, 640), dtype=np.uint8)) == []


def test_bad_frames_are_refused(detector: FaceDetector) -> None:
    with pytest.raises(FrameError):
        detector.detect(np.zeros((480, 640, 3), np.int32))


# -- quality ----------------------------------------------------------------------------------
def _verdict(detector: FaceDetector, img: np.ndarray):  # type: ignore[no-untyped-def]
    faces = detector.detect(img)
    assert faces, "no face found"
    return assess_quality(img, faces[0])


@pytest.mark.parametrize("photo", [astronaut, grace_hopper, tom_hanks])
def test_good_portraits_pass(detector: FaceDetector, photo: object) -> None:
    verdict = _verdict(detector, photo())  # type: ignore[operator]
    assert verdict.ok, verdict.issues
    assert verdict.message_zh == "请保持不动，正在识别"


def test_far_away_face_is_asked_to_come_closer(detector: FaceDetector) -> None:
    far = np.full((480, 640, 3), 110, np.uint8)
    far[60:420, 140:500] = cv2.resize(astronaut(), (360, 360), interpolation=cv2.INTER_AREA)
    verdict = _verdict(detector, far)
    assert verdict.issues[0] is TOO_SMALL and verdict.message_zh == "请靠近一些"


def test_dark_and_bright(detector: FaceDetector) -> None:
    dark = _verdict(detector, light(grace_hopper(), 0.3))
    assert TOO_DARK in dark.issues and dark.message_zh == "光线太暗"
    bright = _verdict(detector, light(grace_hopper(), 1.0, 120))
    assert TOO_BRIGHT in bright.issues and bright.message_zh == "光线太亮"


def test_blurred_face_is_asked_to_hold_still(detector: FaceDetector) -> None:
    for photo in (astronaut, tom_hanks):
        verdict = _verdict(detector, blur(photo(), 2.0))
        assert BLURRED in verdict.issues
        assert verdict.issues[-1].message_zh == "请保持不动"


def test_tilted_head_is_asked_to_face_the_camera(detector: FaceDetector) -> None:
    face = detector.detect(astronaut())[0]
    assert face.eyes is not None
    (lx, ly), (rx, ry) = face.eyes
    tilted = FaceBox(face.x, face.y, face.w, face.h, ((lx, ly - 12), (rx, ry + 12)))
    verdict = assess_quality(astronaut(), tilted)
    assert verdict.issues == (NOT_FRONTAL,) and verdict.message_zh == "请正对摄像头"
    turned = FaceBox(face.x, face.y, face.w, face.h, ((lx + 25, ly), (rx + 25, ry)))
    assert assess_quality(astronaut(), turned).issues == (NOT_FRONTAL,)


def test_half_hidden_face_is_not_frontal(detector: FaceDetector) -> None:
    img = grace_hopper().copy()
    face = detector.detect(img)[0]
    # Half the face in deep shadow: what a head turned away from the light looks like.
    img[face.y:face.y + face.h, face.x + face.w // 2:face.x + face.w] //= 6
    verdict = assess_quality(img, FaceBox(face.x, face.y, face.w, face.h))
    assert NOT_FRONTAL in verdict.issues


# -- the command ------------------------------------------------------------------------------
def test_faces_command_counts_first_then_verdicts(tmp_path: Path) -> None:
    path = tmp_path / "astronaut.png"
    cv2.imwrite(str(path), astronaut())
    code, out, err = run_cli("faces", str(path), in_process=False)  # the real `python -m`
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[0] == "1"
    assert lines[1].startswith("face 1:") and " ok " in lines[1]

    dark = tmp_path / "dark.png"
    cv2.imwrite(str(dark), light(grace_hopper(), 0.3))
    lines = run_cli("faces", str(dark))[1].splitlines()
    assert lines[0].split()[0] == "1" and "光线太暗" in lines[1]

    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((480, 640, 3), 128, np.uint8))
    assert run_cli("faces", str(blank))[1].splitlines()[0].split()[0] == "0"


def test_faces_command_finds_small_faces_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "t1.jpg"
    cv2.imwrite(str(path), group_photo())
    kiosk = int(run_cli("faces", str(path))[1].split()[0])
    full = int(run_cli("faces", "--detect-width", "1280", str(path))[1].split()[0])
    assert kiosk < full and 4 <= full <= 6  # 6 people in the photo; Haar misses some
    code, _, err = run_cli("faces", "--detect-width", "5", str(path))
    assert code == 2 and "--detect-width" in err


def test_faces_command_on_a_corrupt_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)
    code, _, err = run_cli("faces", str(bad))
    assert code == 2 and "corrupt" in err


@pytest.mark.parametrize("box", [FaceBox(600, 400, 100, 100), FaceBox(-5, 0, 100, 100),
                                 FaceBox(10, 10, 2, 2)])
def test_face_boxes_outside_the_image_are_refused(box: FaceBox) -> None:
    frame = np.full((480, 640, 3), 120, np.uint8)
    with pytest.raises(CameraInputError, match="face box"):
        assess_quality(frame, box)
    with pytest.raises(CameraInputError, match="face box"):
        LbpEmbedder().embed(frame, box)
    with pytest.raises(CameraInputError, match="face box"):
        MotionLivenessCheck().add(frame, box)
