"""Plan-wide targets: the goals a plan sets in its aims (总体要求 / 工作目标) rather than in any one task.

    ——食品安全状况进一步向好。全市评价性抽检合格率达到98%以上，主要食用农产品监测总体合格率97%以上……

Read only from paragraphs of an aims chapter, or from the ——-led goal paragraphs, so that task text is never
counted twice.
"""

from __future__ import annotations

import re

from dutygraph.loaders.indicators import find_indicators
from dutygraph.loaders.layouts.base import SECTION_HEADING
from dutygraph.loaders.records import Indicator

_AIMS = re.compile(r"总体要求|工作目标|主要目标|总体目标|目标任务")


def read_plan_targets(lines: tuple[str, ...]) -> tuple[Indicator, ...]:
    """Targets stated for the whole plan.

    >>> aims = ("一、总体要求", "——群众食安获得感进一步增强。群众食品安全满意度达到85分以上。", "二、重点任务")
    >>> [(i.metric, i.value, i.unit) for i in read_plan_targets(aims)]
    [('群众食品安全满意度', 85.0, '分')]
    """
    found: list[Indicator] = []
    inside = False
    for index, line in enumerate(lines):
        if heading := SECTION_HEADING.match(line):
            inside = bool(_AIMS.search(heading["text"]))
            continue
        if not inside or not line.strip().startswith("——"):
            continue
        # A goal paragraph may be broken across lines (a PDF copy): join until the next goal or heading.
        paragraph = [line.strip()]
        for following in lines[index + 1 :]:
            if following.strip().startswith("——") or SECTION_HEADING.match(following):
                break
            paragraph.append(following.strip())
        found.extend(find_indicators("".join(paragraph)))
    return tuple(found)
