"""Standing duties listed per agency (成员单位职责分工): a heading naming one unit, then its duties.

    （一）市委组织部
    加强食品安全工作部门领导班子建设……；按干部管理权限，落实……。

A heading counts as an agency heading when the whole heading resolves to a known kind of bureau (or a group such
as 各乡镇（街道）); its duties run until the next such heading or the closing 除上述职责外 paragraph. Lines broken
inside a sentence (copies of PDFs) are joined; duties are split into clauses on ；.
"""

from __future__ import annotations

import re

from dutygraph.loaders.agency_names import NameContext, resolve_name
from dutygraph.loaders.layouts.base import SECTION_HEADING, SUB_HEADING
from dutygraph.loaders.punctuation import normalise
from dutygraph.loaders.records import DutyBlock, Lines

_END = re.compile(r"^(除上述职责外|附件|备注)|^序号")
_MAX_HEADING = 20


def _agency_heading(line: str, names: NameContext) -> str | None:
    """The unit a duty heading names, or None when the line is not one."""
    match = SUB_HEADING.match(line)
    if match is None:
        return None
    written = normalise(match["text"]).replace(" ", "")
    if len(written) > _MAX_HEADING or re.search(r"[，。；：]", written):
        return None
    agency = resolve_name(written, names)
    return written if agency.type_key != "other" else None


def read_duties(lines: tuple[str, ...], names: NameContext) -> tuple[DutyBlock, ...]:
    """Every per-agency duty block in the plan.

    >>> from dutygraph.loaders.jurisdictions import division_table
    >>> names = NameContext.of(division_table().by_code("330382"))
    >>> blocks = read_duties(("（一）市委宣传部", "负责指导全市食品安全宣传工作；负责组织食品安全重大信息发布工作。"), names)
    >>> blocks[0].agency.type_key, blocks[0].duties
    ('party-propaganda', ('负责指导全市食品安全宣传工作', '负责组织食品安全重大信息发布工作'))
    """
    blocks: list[DutyBlock] = []
    heading: str | None = None
    heading_line = 0
    body: list[str] = []
    last = 0

    def close() -> None:
        if heading is not None and body:
            text = "".join(body)
            duties = tuple(d.strip(" 。") for d in re.split(r"[；;]", text) if d.strip(" 。"))
            blocks.append(DutyBlock(heading, resolve_name(heading, names), duties, Lines(heading_line, last)))

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        written = _agency_heading(stripped, names)
        if written is not None:
            close()
            heading, heading_line, body, last = written, number, [], number
            continue
        if heading is not None and (
            _END.match(stripped) or SECTION_HEADING.match(stripped) or SUB_HEADING.match(stripped)
        ):
            close()
            heading, body = None, []
            continue
        if heading is not None:
            body.append(normalise(stripped))
            last = number
    close()
    return tuple(blocks)
