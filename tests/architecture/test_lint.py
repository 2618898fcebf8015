"""ruff and mypy over the project (configured in pyproject.toml).

ruff must be clean. mypy must report no error beyond the baseline of older ones
(`tests/architecture/mypy-baseline.txt`): new code is typed; the baseline only shrinks. After fixing
old errors, refresh it with
`.venv/bin/mypy | .venv/bin/mypy-baseline sync --baseline-path tests/architecture/mypy-baseline.txt`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BASELINE = ROOT / "tests" / "architecture" / "mypy-baseline.txt"


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", "."], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def test_mypy_finds_no_new_error() -> None:
    mypy = subprocess.run([str(BIN / "mypy"), "--no-incremental"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert "error: Cannot read file" not in mypy.stdout, mypy.stdout
    assert "Success" in mypy.stdout or "error:" in mypy.stdout, mypy.stdout + mypy.stderr
    filtered = subprocess.run(
        [str(BIN / "mypy-baseline"), "filter", "--baseline-path", str(BASELINE), "--allow-unsynced",
         "--no-colors", "--hide-stats"],
        cwd=ROOT, input=mypy.stdout, capture_output=True, text=True, timeout=120,
    )
    assert filtered.returncode == 0, "new mypy errors:\n" + filtered.stdout[-6000:]
