"""The five plans the project ships with (copies of the real documents, in `data/plans/`)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def bundled_plans() -> list[Path]:
    """Paths of the bundled plan files, sorted by name.

    >>> [p.name for p in bundled_plans()][:2]
    ['jiaojiang-2020-reform-tasks.txt', 'jizhou-2020-supervision-plan.txt']
    """
    folder = importlib.resources.files("dutygraph.data") / "plans"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".txt"))
