"""What a plan says about itself: its title, whose plan it is, its year, date of issue and document number."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from dutygraph.errors import PlanError
from dutygraph.loaders.jurisdictions import division_table
from dutygraph.loaders.punctuation import normalise
from dutygraph.loaders.records import PlanInfo

_PLAN_WORDS = re.compile(
    r"(工作要点|任务清单|责任分工|分工一览表|一览表|工作方案|实施方案|监督管理计划|工作计划|行动计划|计划|方案|要点|清单)"
)
_NOT_TITLE = re.compile(r"关于印发|的通知|^附件|印发给你们|^各|：$")
_ISSUED = re.compile(r"^\s*(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*$")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d{1,4}号")
_TITLE_YEAR = re.compile(r"(?<!\d)(?P<y>(19|20)\d{2})年(?![\d至到-])")
_HEAD_LINES = 60


def _title(lines: tuple[str, ...]) -> tuple[str | None, int]:
    """The plan's own title line (not the cover letter's) and its line number."""
    candidates: list[tuple[int, str]] = []
    for number, line in enumerate(lines[:_HEAD_LINES], start=1):
        text = normalise(line).replace(" ", "")
        if 6 <= len(text) <= 60 and _PLAN_WORDS.search(text) and not _NOT_TITLE.search(text):
            if "，" in text or "。" in text:
                continue
            candidates.append((number, text))
    if not candidates:
        return None, 0
    number, text = candidates[0]
    following = normalise(lines[number]).replace(" ", "") if number < len(lines) else ""
    following = re.sub(r"^\[bookmark[:：][^\]]*\]", "", following)
    if re.fullmatch(r"（[^）]{2,8}稿）", following):
        text += following  # （征求意见稿） belongs to the title
    return text, number


def read_plan_info(lines: tuple[str, ...], *, path: Path) -> PlanInfo:
    """Title, jurisdiction (by GB/T 2260 code), year, issue date and document number.

    >>> info = read_plan_info(("附件", "2018年温州市食品安全工作责任分工一览表", ""), path=Path("w.txt"))
    >>> info.title, info.jurisdiction.code, [p.name for p in info.parents], info.year
    ('2018年温州市食品安全工作责任分工一览表', '330300', ['浙江省'], 2018)

    :raises PlanError: when no line names the jurisdiction whose plan it is.
    """
    table = division_table()
    title, title_line = _title(lines)
    jurisdiction = table.find_in_text(title) if title else None
    if jurisdiction is None:
        for line in lines[:_HEAD_LINES]:
            jurisdiction = table.find_in_text(normalise(line).replace(" ", ""))
            if jurisdiction is not None:
                break
    if jurisdiction is None:
        raise PlanError(
            path, "no line near the top names the county or city whose plan this is", line=title_line or None
        )

    doc_number = next(
        (
            m.group()
            for line in lines[:_HEAD_LINES]
            if (m := _DOC_NUMBER.search(normalise(line).replace(" ", "")))
        ),
        None,
    )
    issued = None
    for line in lines[:_HEAD_LINES]:
        if match := _ISSUED.match(normalise(line)):
            issued = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            break
    year_match = _TITLE_YEAR.search(title or "")
    year: int | None = int(year_match["y"]) if year_match else None
    if year is None and doc_number:
        year = int(re.search(r"〔(\d{4})〕", doc_number).group(1))  # type: ignore[union-attr]
    if year is None and issued is not None:
        year = issued.year
    return PlanInfo(title, jurisdiction, table.parents(jurisdiction), year, issued, doc_number)


def is_one_year_plan(info: PlanInfo) -> bool:
    """A plan for one year (2019年…工作要点, 蓟州区2020年…计划): its tasks are due within that year.

    >>> from dutygraph.loaders.records import Jurisdiction
    >>> j = Jurisdiction("331023", "天台县", "county", "331000")
    >>> is_one_year_plan(PlanInfo("2019年天台县食品安全工作要点", j, (), 2019))
    True
    >>> is_one_year_plan(PlanInfo("乐清市食品安全示范城市国省联创工作方案", j, (), 2022))
    False
    """
    return bool(
        info.title and _TITLE_YEAR.search(info.title) and not re.search(r"\d{4}[-—～至]\d{4}", info.title)
    )


def annual_wording(info: PlanInfo) -> str:
    """The words of the title that make it a one-year plan, e.g. 2019年…工作要点 → '2019年工作要点'."""
    kind = _PLAN_WORDS.search(info.title or "")
    return f"{info.year}年{kind.group() if kind else ''}"
