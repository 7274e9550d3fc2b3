"""Turn table rows (whatever the cell syntax) into raw tasks: shared by the cell-per-line and delimited layouts.

Columns are recognised by their header words, not their position. Merged cells come out blank: a blank
section cell repeats the one above; a row with no number is a sub-task of the row above (own goal and
deadline: key 18b) or, when it has a title of its own, a task of its own (key 31x).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dutygraph.loaders.layouts.base import RawTask, collapse, padded
from dutygraph.loaders.punctuation import first_sentence, normalise
from dutygraph.loaders.records import Lines

# Header words, by the role of the column. The first family that matches a header wins.
_COLUMN_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"^(序号|编号|序)$")),
    ("lead", re.compile(r"牵头(单位|部门)")),
    ("assist", re.compile(r"(配合|协办|参与)(单位|部门)")),
    ("units", re.compile(r"责任(单位|部门|主体)|承办单位|实施(单位|主体)|负责(单位|部门)")),
    ("schedule", re.compile(r"时间表|时限|完成时间|时间节点|进度安排|完成期限")),
    ("text", re.compile(r"措施|举措|进度要求|目标|内容|要求|标准")),
    ("section", re.compile(r"^(项目|类别|领域|工作领域|专项行动|行动|板块)$")),
    ("title", re.compile(r"任务|工作|事项|名称")),
)
_HEADER_HINT = re.compile(r"序号|责任单位|牵头单位|重点任务|重点工作|时间表|完成时限")


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    lines: Lines


def column_roles(header: tuple[str, ...]) -> tuple[str | None, ...]:
    """The role of each column, from its header words.

    >>> column_roles(("序号", "项目", "重点任务清单", "具体措施和目标", "责任单位", "时间表"))
    ('number', 'section', 'title', 'text', 'units', 'schedule')
    >>> column_roles(("序号", "重点工作", "年度进度要求", "责任单位"))
    ('number', 'title', 'text', 'units')
    """
    roles: list[str | None] = []
    for cell in header:
        word = normalise(cell).replace(" ", "")
        role = next((name for name, pattern in _COLUMN_WORDS if pattern.search(word)), None)
        roles.append(role if role not in roles else None)
    return tuple(roles)


def is_header(cells: tuple[str, ...]) -> bool:
    """A header row (also where a page break repeats it)."""
    words = [normalise(c).replace(" ", "") for c in cells]
    return (
        bool(words) and words[0] in ("序号", "编号") and sum(bool(_HEADER_HINT.search(w)) for w in words) >= 2
    )


def _cell(row: Row, roles: tuple[str | None, ...], role: str) -> str:
    if role not in roles:
        return ""
    index = roles.index(role)
    return collapse(row.cells[index]) if index < len(row.cells) else ""


def _units(row: Row, roles: tuple[str | None, ...]) -> str:
    """The responsibility phrase; separate lead / assist columns become 牵头单位：…；配合单位：…."""
    lead, assist = _cell(row, roles, "lead"), _cell(row, roles, "assist")
    if lead or assist:
        return "；".join(p for p in (lead and f"牵头单位：{lead}", assist and f"配合单位：{assist}") if p)
    return _cell(row, roles, "units")


def rows_to_tasks(header: tuple[str, ...], rows: list[Row]) -> tuple[list[RawTask], str | None]:
    """Raw tasks from the data rows of one table; also the header of a 年度… column, if there is one."""
    roles = column_roles(header)
    annual = next(
        (collapse(h) for h, r in zip(header, roles, strict=False) if r == "text" and "年度" in h), None
    )
    # A title column left blank on numbered rows is a merged grouping column: a section, not a title.
    grouping_title = "section" not in roles and any(
        _cell(r, roles, "number") and not _cell(r, roles, "title") for r in rows
    )
    tasks: list[RawTask] = []
    section: str | None = None
    parent: RawTask | None = None
    sub_count = 0
    for row in rows:
        number = _cell(row, roles, "number")
        title_cell = "" if grouping_title else _cell(row, roles, "title")
        section_cell = _cell(row, roles, "title" if grouping_title else "section")
        text = _cell(row, roles, "text")
        units = _units(row, roles)
        schedule = _cell(row, roles, "schedule") or None
        if section_cell:
            section = section_cell
        title = first_sentence(text) if grouping_title else title_cell
        if not (number or title or text):
            continue
        if number:
            task = RawTask(
                padded(number),
                number,
                section,
                title or first_sentence(text),
                text,
                row.lines,
                units or None,
                schedule,
            )
            parent, sub_count = task, 0
        elif parent is None:
            continue
        elif title and not grouping_title:
            # A new title under no number: a task of its own after the numbered one (31x).
            task = RawTask(
                f"{parent.number and padded(parent.number)}x",
                None,
                section,
                title,
                text,
                row.lines,
                units or None,
                schedule,
            )
        else:
            # The same numbered task with its own goal and deadline (18b).
            sub_count += 1
            task = replace(
                parent,
                key_suffix=f"{parent.key_suffix}{chr(ord('a') + sub_count)}",
                text=text,
                lines=row.lines,
                units=units or parent.units,
                schedule=schedule or parent.schedule,
            )
        tasks.append(task)
    return tasks, annual
