"""Deadlines as plans write them, parsed into a kind and (where there is one) a date, keeping the wording.

Kinds (see tests/gold/SCHEMA.md): ``by-date`` (the last day of the period named), ``aspirational-by-date``
(争取…), ``recurring`` (年度日常工作, 每半年), ``per-directive`` (按市里任务要求开展, 根据上级部署), ``long-term``
(长期推进), ``phase``. Relative dates (6月前, 年底前, 全年) resolve against the plan year; without a plan year they
are not guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from dutygraph.loaders.punctuation import normalise
from dutygraph.loaders.records import Deadline, DeadlineKind

_QUOTED = re.compile(r"《[^》]*》|“[^”]*”|（\d{4}[-—–~～至]\d{4}年?）")
_CLAUSE_START = "，；。：、（"
_NOT_A_DEADLINE_BEFORE = ("比", "较", "自", "从", "与", "同比")
_NOT_A_DEADLINE_AFTER = re.compile(r"^(起|以来|开始|[-—–~～]|至\d)")

_DATE = re.compile(
    r"(?P<aspire>争取|力争)?(?P<pre>到|至|于|在)?"
    r"(?:(?P<y>\d{4})年(?:(?P<m>\d{1,2})月份?(?:(?P<d>\d{1,2})日)?)?(?P<end>底|末|年底|内)?"
    r"|(?<![\d年])(?P<month>\d{1,2})月份?(?P<mend>底|末)?"
    r"|(?P<rel>上半年|下半年|年底|年末|年内|全年|第?[一二三四1-4]季度))"
    r"(?P<before>前|以前|之前)?(?P<done>完成)?"
)
_QUARTER_END = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}

_RECURRING_CELL = re.compile(r"年度日常工作|日常工作|常态化|长期坚持|每年|经常性|每半年|每季度|每月")
_RECURRING_TEXT = re.compile(r"每(半年|季度|个季度|季|月|周|旬|学期)")
_PER_DIRECTIVE = re.compile(
    r"(按|根据|依据)(照)?(市里|省里|上级|市级|省级|国家|中央|区里|县里)?(的)?(任务|工作|统一)?(要求|部署|安排)(开展|执行|推进)?"
)
_LONG_TERM = re.compile(r"长期推进|长期|持续推进|久久为功")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _masked(text: str) -> str:
    """Blank out titles in 《》, quoted names and year ranges, keeping offsets."""
    return _QUOTED.sub(lambda m: "\u0000" * len(m.group()), text)


def _date_of(match: re.Match[str], year: int | None) -> dt.date | None:
    g = match.groupdict()
    if g["y"] and g["m"] and g["d"]:
        return dt.date(int(g["y"]), int(g["m"]), int(g["d"]))
    if g["y"] and g["m"]:
        return _month_end(int(g["y"]), int(g["m"]))
    if g["y"]:
        return dt.date(int(g["y"]), 12, 31)
    if year is None:
        return None
    if g["month"]:
        month = int(g["month"])
        return _month_end(year, month) if 1 <= month <= 12 else None
    rel = g["rel"] or ""
    if rel == "上半年":
        return dt.date(year, 6, 30)
    if rel.endswith("季度"):
        return _month_end(year, _QUARTER_END[rel.removeprefix("第")[0]])
    return dt.date(year, 12, 31)


def _is_deadline(text: str, match: re.Match[str]) -> bool:
    """A date is a deadline unless it is a baseline (比2017年), a start (从…起) or a noun's year (制定2020年方案)."""
    g = match.groupdict()
    start, end = match.start(), match.end()
    before = text[max(0, start - 2) : start]
    if any(before.endswith(word) for word in _NOT_A_DEADLINE_BEFORE):
        return False
    if _NOT_A_DEADLINE_AFTER.match(text[end:]):
        return False
    marked = g["pre"] or g["before"] or g["done"] or g["aspire"] or g["end"] or g["m"]
    if g["rel"]:
        return True
    if g["month"]:
        # A bare month (5月) is a deadline only with 前/底: "5月前", "6月底".
        return bool(g["before"] or g["mend"])
    if marked:
        return True
    # A bare "2022年" counts where it opens a clause: "，2022年生猪定点屠宰场要建成投用".
    return start == 0 or text[start - 1] in _CLAUSE_START


def _from_match(match: re.Match[str], year: int | None) -> Deadline | None:
    date = _date_of(match, year)
    if date is None:
        return None
    kind: DeadlineKind = "aspirational-by-date" if match["aspire"] else "by-date"
    return Deadline(as_written=match.group(), kind=kind, date=date)


def find_deadlines(text: str, *, year: int | None) -> tuple[Deadline, ...]:
    """Deadlines stated inside a task's own text.

    >>> [(d.as_written, d.kind, str(d.date)) for d in find_deadlines("8月前龙湾等6个县通过验收；全年其他县同步深化", year=2018)]
    [('8月前', 'by-date', '2018-08-31'), ('全年', 'by-date', '2018-12-31')]
    >>> [(d.kind, str(d.date)) for d in find_deadlines("到2023年底，排放量比2020年下降2%", year=2022)]
    [('by-date', '2023-12-31')]
    >>> find_deadlines("制定2020年食品安全风险监测实施方案", year=2020)
    ()
    >>> [(d.as_written, d.kind) for d in find_deadlines("每半年对区级储备粮进行强制检验", year=2020)]
    [('每半年', 'recurring')]
    """
    norm = normalise(text)
    masked = _masked(norm)
    found: list[Deadline] = []
    for match in _DATE.finditer(masked):
        if not match.group() or "\u0000" in match.group() or not _is_deadline(masked, match):
            continue
        deadline = _from_match(match, year)
        if deadline is not None:
            found.append(deadline)
    found.extend(Deadline(m.group(), "recurring") for m in _RECURRING_TEXT.finditer(masked))
    return dedupe(found)


def read_schedule(cell: str, *, year: int | None) -> tuple[Deadline, ...]:
    """A schedule cell (时间表, 完成时限): one or more deadlines.

    >>> [(d.kind, str(d.date)) for d in read_schedule("2020年底前完成", year=None)]
    [('by-date', '2020-12-31')]
    >>> [(d.as_written, d.kind) for d in read_schedule("日常工作并根据市级部署", year=None)]
    [('日常工作', 'recurring'), ('根据市级部署', 'per-directive')]
    >>> [(d.kind, str(d.date)) for d in read_schedule("争取2023年底前完成", year=None)]
    [('aspirational-by-date', '2023-12-31')]
    >>> [(d.as_written, d.kind, d.date) for d in read_schedule("按市里任务要求开展", year=None)]
    [('按市里任务要求开展', 'per-directive', None)]
    """
    norm = normalise(cell)
    found: list[Deadline] = []
    for piece in re.split(r"[，,；;、]|并且|并", norm):
        piece = piece.strip("。 ")
        if not piece:
            continue
        dated = [d for d in (_from_match(m, year) for m in _DATE.finditer(piece) if m.group()) if d]
        if dated:
            found.extend(dated)
        elif match := _PER_DIRECTIVE.search(piece):
            found.append(Deadline(match.group(), "per-directive"))
        elif match := _RECURRING_CELL.search(piece):
            found.append(Deadline(match.group(), "recurring"))
        elif match := _LONG_TERM.search(piece):
            found.append(Deadline(match.group(), "long-term"))
    return dedupe(found)


def section_deadline(heading: str, *, year: int | None) -> Deadline | None:
    """What a heading says of the tasks under it: 年度重点工作任务 → due at the year's end; 长期推进工作 → long-term.

    >>> section_deadline("一、年度重点工作任务", year=2020)
    Deadline(as_written='年度重点工作任务', kind='by-date', date=datetime.date(2020, 12, 31))
    >>> section_deadline("二、长期推进工作", year=2020).kind
    'long-term'
    """
    text = re.sub(r"^[一二三四五六七八九十]+[、.．]", "", normalise(heading)).strip()
    if re.search(r"长期(推进|坚持)|持续推进", text):
        return Deadline(text, "long-term")
    if year is not None and re.search(r"年度(重点)?(工作)?任务|年度重点工作|年内完成", text):
        return Deadline(text, "by-date", dt.date(year, 12, 31))
    return None


def year_end(as_written: str, year: int) -> Deadline:
    """The deadline of a task in a one-year plan that states none of its own."""
    return Deadline(as_written, "by-date", dt.date(year, 12, 31))


def has_due_date(deadlines: tuple[Deadline, ...]) -> bool:
    """Whether a task already says when it is due (a recurring rhythm alone does not)."""
    return any(d.kind != "recurring" for d in deadlines)


def dedupe(deadlines: list[Deadline] | tuple[Deadline, ...]) -> tuple[Deadline, ...]:
    """One deadline per (kind, date), first wording kept.

    >>> len(dedupe([Deadline("全年", "by-date", dt.date(2018, 12, 31)), Deadline("年内", "by-date", dt.date(2018, 12, 31))]))
    1
    """
    seen: set[tuple[str, dt.date | None]] = set()
    out: list[Deadline] = []
    for d in deadlines:
        if (d.kind, d.date) not in seen:
            seen.add((d.kind, d.date))
            out.append(d)
    return tuple(out)
