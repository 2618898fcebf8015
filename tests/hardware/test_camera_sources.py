"""Camera sources by URI and the background grabber: real pictures, real video files written with
cv2.VideoWriter, a camera that is unplugged and plugged back, frames that are broken."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from camera_fixtures import write_video

from hardware.camera.errors import SourceError
from hardware.camera.grabber import FrameGrabber
from hardware.camera.sources import CaptureSource, SimSource, open_source, redact_uri
from hardware.health import HealthLevel
from tests.faces.face_photos import astronaut, grace_hopper, on_canvas

WAIT = 20.0  # generous upper bounds for waiting on a thread; tests never assert on durations


def wait_until(condition: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def frames_of_two_people(n: int = 12) -> list[np.ndarray]:
    a, b = on_canvas(astronaut()), on_canvas(grace_hopper())
    return [a if i < n // 2 else b for i in range(n)]


# -- URIs -------------------------------------------------------------------------------------
def test_uri_parsing(tmp_path: Path) -> None:
    assert isinstance(open_source("cam:0"), CaptureSource)
    assert isinstance(open_source("rtsp://user:pw@10.0.0.5/stream1"), CaptureSource)
    assert isinstance(open_source(str(tmp_path / "v.avi")), CaptureSource)
    assert isinstance(open_source(f"sim:{tmp_path}"), SimSource)
    assert isinstance(open_source(f"sim:{tmp_path}/a.jpg,{tmp_path}/b.jpg"), SimSource)
    for bad in ("", "   ", "cam:", "cam:x", "cam:999", "sim:", "ftp://host/x"):
        with pytest.raises(ValueError):
            open_source(bad)


def test_camera_passwords_never_reach_messages() -> None:
    assert redact_uri("rtsp://admin:secret@10.0.0.5:554/s1") == "rtsp://***@10.0.0.5:554/s1"
    grabber = FrameGrabber("rtsp://admin:secret@127.0.0.1:1/s1", backoff_initial=0.05)
    with grabber:
        assert wait_until(lambda: "attempt" in grabber.health().message_en)
        health = grabber.health()
    assert health.level is HealthLevel.ERROR
    assert "secret" not in health.message_en and "***@127.0.0.1" in health.message_en


# -- simulated camera -------------------------------------------------------------------------
def test_sim_source_cycles_through_its_images(tmp_path: Path) -> None:
    for name, img in (("1.png", astronaut()), ("2.jpg", grace_hopper())):
        cv2.imwrite(str(tmp_path / name), img)
    (tmp_path / "notes.txt").write_text("not an image")
    src = open_source(f"sim:{tmp_path}", fps=0)
    src.open()
    shapes = [src.read().shape for _ in range(4)]  # type: ignore[union-attr]
    src.close()
    assert shapes == [(512, 512, 3), (600, 512, 3)] * 2


def test_sim_source_with_a_broken_file_does_not_open(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), astronaut())
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(good.read_bytes()[:500])
    with pytest.raises(SourceError, match="unusable"):
        open_source(f"sim:{good},{bad}").open()
    with pytest.raises(SourceError, match="not found"):
        open_source(f"sim:{tmp_path}/nothing/").open()


def test_grabber_keeps_the_latest_frame(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), astronaut())
    with FrameGrabber(f"sim:{tmp_path}", fps=50) as grabber:
        first = grabber.wait_for_frame(WAIT)
        assert first is not None
        later = grabber.wait_for_frame(WAIT, after_seq=first.seq)
        assert later is not None and later.seq > first.seq
        assert later.timestamp >= first.timestamp
        assert np.array_equal(later.image, astronaut())
        assert not later.image.flags.writeable  # shared by every caller: copy before drawing
        assert grabber.health().level is HealthLevel.OK
        assert grabber.latest() is not None


# -- video files ------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".avi", ".mp4"])
def test_video_file_source_reads_real_frames(tmp_path: Path, suffix: str) -> None:
    video = write_video(tmp_path / f"v{suffix}", frames_of_two_people(), fps=25)
    src = open_source(str(video))
    src.open()
    frames = [src.read() for _ in range(14)]  # more than it holds: it plays again
    src.close()
    assert all(f is not None and f.shape == (480, 640, 3) for f in frames)
    # Lossy codecs: compare loosely with the pictures that went in.
    a, b = on_canvas(astronaut()), on_canvas(grace_hopper())
    err = [float(np.abs(f.astype(int) - a).mean()) for f in frames[:2]]  # type: ignore[union-attr]
    assert max(err) < 12
    assert float(np.abs(frames[8].astype(int) - b).mean()) < 12  # type: ignore[union-attr]
    assert float(np.abs(frames[12].astype(int) - a).mean()) < 12  # type: ignore[union-attr]


def test_unplugged_camera_reports_error_and_comes_back(tmp_path: Path) -> None:
    video = write_video(tmp_path / "cam.avi", frames_of_two_people(6), fps=60)
    hidden = tmp_path / "unplugged.avi"
    grabber = FrameGrabber(str(video), backoff_initial=0.05, backoff_max=0.2, stale_after=0.5)
    with grabber:
        assert grabber.wait_for_frame(WAIT) is not None
        assert grabber.health().level is HealthLevel.OK
        video.rename(hidden)  # the cable is pulled
        assert wait_until(lambda: grabber.health().level is HealthLevel.ERROR)
        health = grabber.health()
        assert health.message_zh == "摄像头不可用"
        assert "unavailable" in health.message_en
        assert wait_until(lambda: "not found" in grabber.health().message_en)
        last = grabber.latest()
        assert last is not None  # the last picture is still there, with its age to judge by
        hidden.rename(video)  # plugged back
        assert grabber.wait_for_frame(WAIT, after_seq=last.seq) is not None
        assert wait_until(lambda: grabber.health().level is HealthLevel.OK)
        assert grabber.reconnects >= 1
        assert grabber.latest(max_age=WAIT) is not None


def test_missing_local_camera_is_an_error_not_a_crash() -> None:
    grabber = FrameGrabber("cam:63", backoff_initial=0.05)
    with grabber:
        assert wait_until(lambda: "attempt 2" in grabber.health().message_en)
        assert grabber.latest() is None
        health = grabber.health()
    assert health.level is HealthLevel.ERROR and health.message_zh == "摄像头不可用"
    assert "cannot open cam:63" in health.message_en


def test_not_started_grabber_is_unavailable() -> None:
    health = FrameGrabber("cam:0").health()
    assert health.level is HealthLevel.ERROR and not health.usable


# -- broken frames ----------------------------------------------------------------------------
class ScriptedSource:
    """A source whose reads follow a script: arrays, None (device gone) or exceptions."""

    uri = "test:scripted"

    def __init__(self, script: list[object], then: object) -> None:
        self.script = list(script)
        self.then = then
        self.opens = 0

    def open(self) -> None:
        self.opens += 1

    def read(self) -> np.ndarray | None:
        time.sleep(0.005)
        item = self.script.pop(0) if self.script else self.then
        if isinstance(item, Exception):
            raise item
        return item  # type: ignore[return-value]

    def close(self) -> None:
        pass


def test_broken_frames_are_dropped_and_reported() -> None:
    good = on_canvas(astronaut())
    source = ScriptedSource([good], then=np.zeros((480, 640, 3), np.float32))
    grabber = FrameGrabber(source, stale_after=WAIT)
    with grabber:
        assert wait_until(lambda: grabber.frames_invalid >= 3)
        health = grabber.health()
        assert health.level is HealthLevel.WARNING and health.message_zh == "摄像头画面异常"
        assert "uint8" in health.message_en
        latest = grabber.latest()
        assert latest is not None and np.array_equal(latest.image, good)


def test_only_broken_frames_is_an_error() -> None:
    grabber = FrameGrabber(ScriptedSource([], then=np.zeros((0, 0), np.uint8)))
    with grabber:
        assert wait_until(lambda: grabber.frames_invalid >= 3)
        health = grabber.health()
    assert health.level is HealthLevel.ERROR and "unusable frames" in health.message_en


def test_driver_exceptions_and_dead_reads_lead_to_reopening() -> None:
    good = on_canvas(astronaut())
    source = ScriptedSource([good, RuntimeError("driver fell over"), None, good], then=good)
    grabber = FrameGrabber(source, backoff_initial=0.01, backoff_max=0.02)
    with grabber:
        assert wait_until(lambda: grabber.frames_total >= 3)
    assert source.opens >= 3 and grabber.reconnects >= 2


def test_bad_backoff_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        FrameGrabber("cam:0", backoff_initial=0)
    with pytest.raises(ValueError):
        FrameGrabber("cam:0", backoff_initial=2, backoff_max=1)
