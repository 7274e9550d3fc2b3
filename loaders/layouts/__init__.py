"""Plan layout families, registered by name. `detect_layout` picks the one that fits the text best.

Each family module has the same interface (`score`, `read`, see `base.Layout`); a new wording family is a new
module here plus one line in `LAYOUTS`.
"""

from __future__ import annotations

from dutygraph.errors import DutygraphError
from dutygraph.loaders.layouts.base import Layout, LayoutReading, RawTask
from dutygraph.loaders.layouts.cell_table import CellTableLayout
from dutygraph.loaders.layouts.delimited_table import DelimitedTableLayout
from dutygraph.loaders.layouts.numbered_prose import NumberedProseLayout
from dutygraph.loaders.layouts.outline import OutlineLayout

LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (CellTableLayout(), DelimitedTableLayout(), NumberedProseLayout(), OutlineLayout())
}

__all__ = ["LAYOUTS", "Layout", "LayoutReading", "RawTask", "detect_layout", "get_layout"]


def get_layout(name: str) -> Layout:
    """The layout registered under `name`.

    >>> get_layout("cell-table").name
    'cell-table'
    """
    try:
        return LAYOUTS[name]
    except KeyError:
        raise DutygraphError(f"unknown layout {name!r}; known: {', '.join(LAYOUTS)}") from None


def detect_layout(lines: tuple[str, ...]) -> Layout | None:
    """The layout whose score is highest, or None when no family fits.

    >>> detect_layout(("一、重点任务", "1．建立监管制度。（责任单位：区市场监管局）", "2．加强抽检。（责任单位：区卫健局）")).name
    'numbered-prose'
    """
    scored = sorted(((layout.score(lines), name) for name, layout in LAYOUTS.items()), reverse=True)
    best_score, best_name = scored[0]
    return LAYOUTS[best_name] if best_score > 0 else None
