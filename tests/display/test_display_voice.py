"""Optional voice: espeak-ng speaks in the background; the caller never waits for it."""

from __future__ import annotations

import os
import time
import wave
from pathlib import Path

from display.board import Call
from display.settings import VoiceSettings
from display.voice import Announcer

CALL = Call("A001", "W03", "3号窗口", "2026-11-23T09:00:00+08:00")


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.02)


def test_espeak_speaks_the_call_in_mandarin(tmp_path: Path):
    wav = tmp_path / "call.wav"
    announcer = Announcer(VoiceSettings(enabled=True, command=("espeak-ng", "-v", "cmn", "-w", str(wav))))
    assert announcer.text_for(CALL) == "请A001号到3号窗口办理"
    announcer.announce(CALL)
    wait_until(lambda: announcer.spoken == 1)
    with wave.open(str(wav)) as audio:
        assert audio.getnframes() / audio.getframerate() > 1.0  # a real sentence, not silence
    assert announcer.failed == 0


def test_announce_never_waits_for_the_voice(tmp_path: Path):
    gate = tmp_path / "gate"
    script = tmp_path / "slow-voice.sh"
    # A voice that only finishes when the test opens the gate: announce() must return anyway.
    script.write_text(f'#!/bin/sh\nwhile [ ! -e "{gate}" ]; do sleep 0.01; done\necho "$1" >> "{tmp_path}/spoken"\n')
    os.chmod(script, 0o755)
    announcer = Announcer(VoiceSettings(enabled=True, command=(str(script),)))
    for i in range(1, 8):
        announcer.announce(Call(f"A00{i}", "W01", "1号窗口", ""))
    assert announcer.spoken == 0  # all seven calls were queued while the first is still "speaking"
    gate.touch()
    wait_until(lambda: announcer.spoken + announcer.dropped == 7)
    spoken = (tmp_path / "spoken").read_text().split()
    assert spoken[-1] == "请A007号到1号窗口办理" and spoken == sorted(spoken)  # newest kept, in order
    assert announcer.dropped > 0  # stale calls were dropped rather than spoken minutes late
    announcer.close()


def test_silent_by_default(tmp_path: Path):
    announcer = Announcer(VoiceSettings())
    announcer.announce(CALL)
    assert announcer._thread is None and announcer.spoken == 0


def test_a_missing_voice_command_is_reported_not_raised():
    announcer = Announcer(VoiceSettings(enabled=True, command=("/nonexistent/espeak",)))
    announcer.announce(CALL)
    wait_until(lambda: announcer.failed == 1)
