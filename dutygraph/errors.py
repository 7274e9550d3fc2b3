"""Errors a user can act on. The CLI catches `DutygraphError` once and prints one line; exit status 2."""

from __future__ import annotations

from pathlib import Path


class DutygraphError(Exception):
    """Base of every error dutygraph reports to a user (one line, no traceback)."""


class PlanError(DutygraphError):
    """A plan file cannot be read as a plan: names the file, the line where there is one, and the problem.

    >>> str(PlanError(Path("a.txt"), "not UTF-8 or GB18030 text", line=3))
    'a.txt:3: not UTF-8 or GB18030 text'
    >>> str(PlanError(Path("a.txt"), "file is empty"))
    'a.txt: file is empty'
    """

    def __init__(self, path: Path | str, reason: str, *, line: int | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        where = f"{self.path}:{line}" if line is not None else f"{self.path}"
        super().__init__(f"{where}: {reason}")


class StoreError(DutygraphError):
    """The graph store cannot be opened, read or written."""


class ConfigError(DutygraphError):
    """A setting (environment variable or option) has a value dutygraph cannot use."""
