"""Installed, dutygraph claims only the `dutygraph` import name (no generic `api`, `kg`, `loaders`)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import tomllib
from pathlib import Path

from dutygraph.loaders.bundled import bundled_plans

ROOT = Path(__file__).parent.parent


def test_every_installed_package_lives_under_dutygraph() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = config["packages"]
    assert packages and all(p == "dutygraph" or p.startswith("dutygraph.") for p in packages)
    assert set(config["package-dir"]) == set(packages)
    for folder in config["package-dir"].values():
        assert (ROOT / folder / "__init__.py").exists(), folder


def test_the_bundled_plans_ship_inside_the_package() -> None:
    assert sorted(p.name for p in bundled_plans()) == sorted(
        p.name for p in (ROOT / "data" / "plans").glob("*.txt")
    )
    assert len(bundled_plans()) == 5


def test_build_on_a_terminal_shows_progress(tmp_path: Path) -> None:
    """On a terminal the build reports each plan as it reads it; piped output stays clean (test_cli)."""
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "dutygraph", "build", "--store", str(tmp_path / "store")],
        stdin=child_fd,
        stdout=subprocess.DEVNULL,
        stderr=child_fd,
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(child_fd)
    seen = b""
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=120) == 0
    os.close(main_fd)
    text = seen.decode("utf-8", errors="replace")
    assert "[0/5] jiaojiang-2020-reform-tasks.txt" in text
    assert "[4/5] yueqing-2022-demo-city-plan.txt" in text
    assert "[5/5] read" in text
