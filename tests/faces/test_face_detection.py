"""Haar face detection on real photos and the quality verdict a citizen is given (the `faces`
command that shows both to a technician is tested in tests/hardware)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from faces.detector import FaceBox, FaceDetector
from faces.embedding import LbpEmbedder
from faces.errors import FrameError, ImageInputError
from faces.liveness import MotionLivenessCheck
from faces.quality import BLURRED, NOT_FRONTAL, TOO_BRIGHT, TOO_DARK, TOO_SMALL, assess_quality
from tests.faces.face_photos import astronaut, blur, grace_hopper, group_photo, light, tom_hanks


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


@pytest.mark.parametrize("box", [FaceBox(600, 400, 100, 100), FaceBox(-5, 0, 100, 100),
                                 FaceBox(10, 10, 2, 2)])
def test_face_boxes_outside_the_image_are_refused(box: FaceBox) -> None:
    frame = np.full((480, 640, 3), 120, np.uint8)
    with pytest.raises(ImageInputError, match="face box"):
        assess_quality(frame, box)
    with pytest.raises(ImageInputError, match="face box"):
        LbpEmbedder().embed(frame, box)
    with pytest.raises(ImageInputError, match="face box"):
        MotionLivenessCheck().add(frame, box)
