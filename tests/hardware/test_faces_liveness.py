"""The motion check against the simplest presentation attack: a printed photo held still or
moved by hand is refused, a face that blinks passes. The "live" sequences are synthetic (a blink
painted onto a real photo): no package ships a video of a person."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from camera_fixtures import (BLINK, astronaut, close_eyes, grace_hopper, noisy, on_canvas, shift,
                             tom_hanks, write_video)
from hardware.camera.faces import FaceDetector
from hardware.camera.liveness import MotionLivenessCheck
from hardware.camera.sources import open_source

PHOTOS = {"astronaut": astronaut, "grace_hopper": grace_hopper, "tom_hanks": tom_hanks}


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


def run(detector: FaceDetector, frames: list[np.ndarray]) -> MotionLivenessCheck:
    check = MotionLivenessCheck()
    for frame in frames:
        faces = detector.detect(frame)
        if faces:
            check.add(frame, faces[0])
    return check


def sequences(detector: FaceDetector, photo: np.ndarray) -> dict[str, list[np.ndarray]]:
    base = on_canvas(photo)
    face = detector.detect(base)[0]
    n = len(BLINK)
    return {
        "photo held still": [noisy(base, 3, seed=i) for i in range(n)],
        "photo moved by hand": [noisy(shift(base, 2 * np.sin(i), 1.5 * np.cos(i)), 3, seed=i)
                                for i in range(n)],
        "blink": [noisy(close_eyes(base, face, BLINK[i]), 3, seed=i) for i in range(n)],
        "blink while moving": [noisy(shift(close_eyes(base, face, BLINK[i]), 2 * np.sin(i), 1),
                                     3, seed=i) for i in range(n)],
    }


@pytest.mark.parametrize("person", sorted(PHOTOS))
def test_photos_are_refused_and_blinks_pass(detector: FaceDetector, person: str) -> None:
    results = {name: run(detector, frames).verdict()
               for name, frames in sequences(detector, PHOTOS[person]()).items()}
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


def test_blink_recorded_to_video_and_read_back(detector: FaceDetector, tmp_path: Path) -> None:
    frames = sequences(detector, astronaut())
    for name, expected in (("blink", True), ("photo held still", False)):
        video = write_video(tmp_path / f"{name.replace(' ', '_')}.avi", frames[name], fps=30)
        source = open_source(str(video))
        source.open()
        played = [source.read() for _ in range(len(BLINK))]
        source.close()
        assert run(detector, played).verdict().live is expected, name  # type: ignore[arg-type]
