"""The package boundaries of docs/architecture.md, checked by import-linter (contracts in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint_imports(cwd: Path, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(LINT_IMPORTS), "--no-cache"]
    if config is not None:
        command += ["--config", str(config)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_every_package_keeps_to_its_boundaries() -> None:
    result = run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout or " broken" not in result.stdout, result.stdout[-4000:]


def test_a_crossing_import_is_caught(tmp_path: Path) -> None:
    # The same kind of contract over a two-package tree where the kiosk imports the server.
    for package, source in {"server": "", "kiosk": "from server import app\n"}.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "screen.py").write_text(source)
    (tmp_path / "server" / "app.py").write_text("")
    config = tmp_path / "contracts.toml"
    config.write_text(textwrap.dedent("""
        [tool.importlinter]
        root_packages = ["server", "kiosk"]

        [[tool.importlinter.contracts]]
        name = "the kiosk talks to the server over HTTP only"
        type = "forbidden"
        source_modules = ["kiosk"]
        forbidden_modules = ["server"]
    """))
    result = run_lint_imports(tmp_path, config)
    assert result.returncode != 0
    assert "kiosk.screen -> server" in result.stdout
