"""Face pickup end to end: frames from a (simulated or recorded) camera through the grabber, the
advice the citizen sees, the liveness wait, and the embedding matched against enrolled faces. The
algorithms alone are tested in tests/faces."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from camera_fixtures import qr_image, write_video

from faces.detector import FaceDetector
from faces.embedding import LbpEmbedder
from faces.liveness import MotionLivenessCheck
from faces.matcher import FaceGallery
from hardware.camera.capture import CaptureState, FaceCapture
from hardware.camera.grabber import FrameGrabber
from hardware.camera.qr import decode_qr
from hardware.camera.sources import open_source
from tests.faces.face_photos import (
    BLINK,
    astronaut,
    flip,
    grace_hopper,
    kiosk_frames,
    light,
    noisy,
    on_canvas,
    tom_hanks,
)


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


def test_blinking_citizen_is_captured_and_found_among_enrolled(detector: FaceDetector) -> None:
    embedder = LbpEmbedder(detector=detector)
    gallery = FaceGallery(embedder.dim, embedder.threshold)
    for rid, photo in (("R-1", astronaut()), ("R-2", grace_hopper()), ("R-3", tom_hanks())):
        gallery.add(rid, embedder.embed(flip(photo)))  # enrolled from another (mirrored) picture
    capture = FaceCapture(embedder, detector)
    steps = [capture.feed(frame) for frame in kiosk_frames(grace_hopper(), detector)]
    assert steps[0].state is CaptureState.CHECKING and steps[0].message_zh == "请保持不动"
    done = [s for s in steps if s.done]
    assert done, [s.state for s in steps]
    match = gallery.best_match(done[0].embedding)
    assert match is not None and match.id == "R-2"
    # The sharpest good frame comes with it, for a server that verifies the face itself.
    assert done[0].image is not None and done[0].image.shape[:2] == (480, 640)
    assert all(s.image is None for s in steps if not s.done)


def test_still_photo_is_asked_to_blink_and_never_captured(detector: FaceDetector) -> None:
    capture = FaceCapture(detector=detector)
    base = on_canvas(astronaut())
    steps = [capture.feed(noisy(base, 3, seed=i)) for i in range(10)]
    assert not any(s.done for s in steps)
    assert steps[-1].state is CaptureState.NOT_LIVE and steps[-1].message_zh == "请眨眨眼"


def test_advice_for_no_face_and_dark_face(detector: FaceDetector) -> None:
    capture = FaceCapture(detector=detector)
    empty = capture.feed(np.full((480, 640, 3), 110, np.uint8))
    assert empty.state is CaptureState.NO_FACE and empty.message_zh == "请正对摄像头"
    dark = capture.feed(on_canvas(light(grace_hopper(), 0.3), fill=20))
    assert dark.state is CaptureState.ADJUST and dark.message_zh == "光线太暗"


def test_without_liveness_a_good_frame_is_enough(detector: FaceDetector) -> None:
    capture = FaceCapture(detector=detector, require_liveness=False)
    step = capture.feed(on_canvas(tom_hanks()))
    assert step.done and step.embedding is not None and step.embedding.shape == (2124,)


def test_frames_from_a_recorded_camera_through_the_grabber(detector: FaceDetector,
                                                           tmp_path: Path) -> None:
    video = write_video(tmp_path / "kiosk.avi", kiosk_frames(astronaut(), detector), fps=10)
    capture = FaceCapture(detector=detector)
    seen, done = 0, None
    with FrameGrabber(str(video)) as grabber:
        frame = grabber.wait_for_frame(20.0)
        while frame is not None and done is None and seen < 5 * len(BLINK):
            seen += 1
            step = capture.feed(frame)
            done = step if step.done else None
            frame = grabber.wait_for_frame(20.0, after_seq=frame.seq)
    # Captured within five plays of the video (frames may be skipped: the grabber
    # keeps only the newest, as with a real camera).
    assert done is not None and done.embedding is not None



def test_liveness_on_a_blink_recorded_to_video_and_read_back(detector: FaceDetector,
                                                              tmp_path: Path) -> None:
    for name, blink in (("blink", True), ("photo_held_still", False)):
        video = write_video(tmp_path / f"{name}.avi", kiosk_frames(astronaut(), detector, blink=blink), fps=30)
        source = open_source(str(video))
        source.open()
        played = [source.read() for _ in range(len(BLINK))]
        source.close()
        check = MotionLivenessCheck()
        for frame in played:
            assert frame is not None
            check.add(frame, detector.detect(frame)[0])
        assert check.verdict().live is blink, name

def test_qr_shown_to_a_simulated_camera(tmp_path: Path) -> None:
    photo = on_canvas(astronaut())
    photo[140:340, 420:620] = cv2.cvtColor(cv2.resize(qr_image("预约号:A0012", box_size=4),
                                                      (200, 200)), cv2.COLOR_GRAY2BGR)
    cv2.imwrite(str(tmp_path / "phone.jpg"), photo)
    with FrameGrabber(f"sim:{tmp_path / 'phone.jpg'}") as grabber:
        frame = grabber.wait_for_frame(20.0)
    assert frame is not None and decode_qr(frame.image) == "预约号:A0012"
