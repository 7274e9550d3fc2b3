"""The plan's own schedule: phases under a heading such as 进度安排 / 实施步骤, each with its dates.

    三、进度安排
    （一）启动阶段（2022 年 1 至 3 月），调整完善领导组织架构……
    （三）省级验收阶段（2022 年 12 月前），全面部署迎接……
    （四）巩固提升阶段（2023 年 1 月至长期），将联创考评验收结果……

A phase whose start is not printed starts the day after the phase before it ends.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from dutygraph.loaders.layouts.base import SECTION_HEADING, SUB_HEADING, collapse
from dutygraph.loaders.punctuation import normalise
from dutygraph.loaders.records import Lines, Milestone

_SCHEDULE_HEADING = re.compile(r"进度安排|实施步骤|时间安排|工作步骤|步骤安排|时间进度|实施进度")
_PHASE = re.compile(r"^(?P<name>[^（(，,。]{2,12}?阶段)[（(](?P<when>[^）)]+)[）)][，,：:。]?(?P<text>.*)$")
_RANGE = re.compile(
    r"(?P<y>\d{4})年(?P<m1>\d{1,2})月?(?:(?:至|到|—|-|～)(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2})月|(?:至|到)(?P<open>长期|年底))?"
    r"(?P<before>前|底前|以前)?"
)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _dates(when: str, previous_end: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    match = _RANGE.search(when.replace(" ", ""))
    if match is None:
        return None, None
    year, first = int(match["y"]), int(match["m1"])
    if match["before"]:
        start = previous_end + dt.timedelta(days=1) if previous_end else None
        return start, _month_end(year, first)
    start = dt.date(year, first, 1)
    if match["m2"]:
        return start, _month_end(int(match["y2"] or year), int(match["m2"]))
    if match["open"] == "长期":
        return start, None
    if match["open"] == "年底":
        return start, dt.date(year, 12, 31)
    return start, _month_end(year, first)


def read_milestones(lines: tuple[str, ...]) -> tuple[Milestone, ...]:
    """The phases of the plan's schedule.

    >>> [(m.name, str(m.start), str(m.end)) for m in read_milestones(("三、进度安排", "（一）启动阶段（2022 年 1 至 3 月），制定工作方案。",
    ...     "（二）验收阶段（2022 年 12 月前），迎接省级验收。", "（三）巩固提升阶段（2023 年 1 月至长期），巩固成果。"))]
    [('启动阶段', '2022-01-01', '2022-03-31'), ('验收阶段', '2022-04-01', '2022-12-31'), ('巩固提升阶段', '2023-01-01', 'None')]
    """
    found: list[Milestone] = []
    inside = False
    previous_end: dt.date | None = None
    for number, line in enumerate(lines, start=1):
        if heading := SECTION_HEADING.match(line):
            inside = bool(_SCHEDULE_HEADING.search(heading["text"]))
            continue
        item = SUB_HEADING.match(line)
        if not inside or item is None:
            continue
        phase = _PHASE.match(normalise(item["text"]))
        if phase is None:
            continue
        start, end = _dates(phase["when"], previous_end)
        found.append(Milestone(phase["name"], start, end, collapse(phase["text"]), Lines(number, number)))
        previous_end = end or previous_end
    return tuple(found)
