"""The motion check against the simplest presentation attack: a printed photo held still or
moved by hand is refused, a face that blinks passes. The "live" sequences are synthetic (a blink
painted onto a real photo): no package ships a video of a person."""

from __future__ import annotations

import numpy as np
import pytest

from faces.detector import FaceDetector
from faces.liveness import MotionLivenessCheck
from tests.faces.face_photos import astronaut, grace_hopper, kiosk_frames, noisy, on_canvas, shift, tom_hanks

PHOTOS = {"astronaut": astronaut, "grace_hopper": grace_hopper, "tom_hanks": tom_hanks}


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    # The liveness check uses only the face box, so the per-frame eye search is skipped here.
    return FaceDetector(find_eyes=False)


EYES = FaceDetector()  # to place the painted eyelids where the eyes really are


def run(detector: FaceDetector, frames: list[np.ndarray]) -> MotionLivenessCheck:
    check = MotionLivenessCheck()
    for frame in frames:
        faces = detector.detect(frame)
        if faces:
            check.add(frame, faces[0])
    return check


def sequence(photo: np.ndarray, kind: str) -> list[np.ndarray]:
    return kiosk_frames(photo, EYES, blink="blink" in kind, moving="moving" in kind or "moved" in kind)


KINDS = ("photo held still", "photo moved by hand", "blink", "blink while moving")


@pytest.mark.parametrize("person", sorted(PHOTOS))
def test_photos_are_refused_and_blinks_pass(detector: FaceDetector, person: str) -> None:
    results = {kind: run(detector, sequence(PHOTOS[person](), kind)).verdict()
               for kind in KINDS}
    assert results["photo held still"].live is False
    assert results["photo moved by hand"].live is False
    assert results["blink"].live is True
    assert results["blink while moving"].live is True
    assert results["photo held still"].message_zh == "请眨眨眼"
    assert results["blink"].message_zh == "验证通过"


def test_too_few_frames_is_undecided(detector: FaceDetector) -> None:
    base = on_canvas(astronaut())
    check = run(detector, [base, base])
    verdict = check.verdict()
    assert verdict.live is None and verdict.message_zh == "请看向摄像头"
    check.reset()
    assert check.verdict().frames == 0


def test_walking_away_restarts_the_window(detector: FaceDetector) -> None:
    base = on_canvas(astronaut())
    check = run(detector, [noisy(base, 3, seed=i) for i in range(5)])
    assert check.verdict().frames == 5
    moved = shift(base, 60, 0)
    check.add(moved, detector.detect(moved)[0])
    assert check.verdict().frames == 1

