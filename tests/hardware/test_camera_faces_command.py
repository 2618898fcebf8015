"""`python -m hardware faces IMAGE`: a technician checks face detection and quality on a picture."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from camera_fixtures import run_cli

from tests.faces.face_photos import astronaut, grace_hopper, group_photo, light


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
