"""Tables with one row per line and cells split by tabs or by ``|`` (Markdown-style tables too).

序号\t重点任务\t具体举措\t责任单位
1\t开展“源头治理”行动\t启动食用农产品…三年行动…\t▲市农业农村局、各乡镇（街道）
2\t\t全面推行耕地分类管理…\t▲市农业农村局、市生态环境局、各乡镇（街道）
"""

from __future__ import annotations

import re
from typing import ClassVar

from dutygraph.loaders.layouts.base import LayoutReading
from dutygraph.loaders.layouts.table_rows import Row, is_header, rows_to_tasks
from dutygraph.loaders.records import Lines

_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def _split(line: str) -> tuple[str, ...] | None:
    """The cells of a delimited line, or None when the line is not a table row."""
    if "\t" in line.strip("\t "):
        return tuple(c.strip() for c in line.split("\t"))
    if line.count("|") >= 3:
        return tuple(c.strip() for c in line.strip().strip("|").split("|"))
    return None


def _rows(lines: tuple[str, ...]) -> tuple[tuple[str, ...] | None, list[Row]]:
    header: tuple[str, ...] | None = None
    rows: list[Row] = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("\t") or _RULE.match(line):
            continue  # cell-per-line tables and Markdown rules are not rows here
        cells = _split(line)
        if cells is None or len(cells) < 3:
            continue
        if is_header(cells):
            header = header or cells
            continue
        if header is not None and len(cells) >= len(header) - 1:
            rows.append(Row(cells, Lines(number, number)))
    return header, rows


class DelimitedTableLayout:
    """One row per line, cells split by tabs or pipes."""

    name: ClassVar[str] = "delimited-table"

    def score(self, lines: tuple[str, ...]) -> float:
        header, rows = _rows(lines)
        if header is None or not rows:
            return 0.0
        return min(1.0, 0.5 + 0.05 * len(rows))

    def read(self, lines: tuple[str, ...]) -> LayoutReading:
        header, rows = _rows(lines)
        if header is None:
            return LayoutReading(())
        tasks, annual = rows_to_tasks(header, rows)
        return LayoutReading(tuple(tasks), annual)
