"""Tables copied out of a word processor one cell per line: each cell line starts with a tab, a blank line ends
the row, a line without the tab continues the cell above (a cell with several paragraphs).

    \t序号            ← header row (repeated after each page break)
    \t重点工作
    \t责任单位
    (blank)
    \t1               ← a data row
    \t建立完善党政同责制度
    \t各县（市、区）政府、功能区管委会
"""

from __future__ import annotations

from typing import ClassVar

from dutygraph.loaders.layouts.base import LayoutReading
from dutygraph.loaders.layouts.table_rows import Row, is_header, rows_to_tasks
from dutygraph.loaders.records import Lines


def _blocks(lines: tuple[str, ...]) -> list[Row]:
    """Rows of cells: runs of non-blank lines in which cells start with a tab."""
    rows: list[Row] = []
    cells: list[str] = []
    first = 0
    last = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip() and not line.startswith("\t"):
            if cells:
                rows.append(Row(tuple(cells), Lines(first, last)))
            cells = []
            continue
        if line.startswith("\t"):
            if not cells:
                first = number
            cells.append(line[1:])
        elif cells:
            cells[-1] = f"{cells[-1]}\n{line}"
        else:
            continue
        last = number
    if cells:
        rows.append(Row(tuple(cells), Lines(first, last)))
    return rows


class CellTableLayout:
    """One cell per line, rows between blank lines."""

    name: ClassVar[str] = "cell-table"

    def score(self, lines: tuple[str, ...]) -> float:
        rows = _blocks(lines)
        headers = [r for r in rows if is_header(r.cells)]
        if not headers:
            return 0.0
        width = len(headers[0].cells)
        data = [r for r in rows if len(r.cells) == width and not is_header(r.cells)]
        return min(1.0, 0.5 + 0.05 * len(data)) if data else 0.0

    def read(self, lines: tuple[str, ...]) -> LayoutReading:
        rows = _blocks(lines)
        header = next(r.cells for r in rows if is_header(r.cells))
        width = len(header)
        data = [r for r in rows if not is_header(r.cells) and len(r.cells) == width]
        tasks, annual = rows_to_tasks(tuple(c.strip() for c in header), data)
        return LayoutReading(tuple(tasks), annual)
