"""What every layout reader gives back: raw task rows, before names, roles, deadlines and targets are parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Protocol

from dutygraph.loaders.records import Lines

CN_NUMERALS = "零一二三四五六七八九十"
SECTION_HEADING = re.compile(r"^\s*(?P<num>[一二三四五六七八九十]+)[、．.]\s*(?P<text>\S.*)$")
SUB_HEADING = re.compile(r"^\s*[（(](?P<num>[一二三四五六七八九十]+)[）)]\s*(?P<text>\S.*)$")


@dataclass(frozen=True)
class RawTask:
    """One task as a layout found it: fields as printed, nothing parsed yet."""

    key_suffix: str  # the task's part of its key: "07", "18b", "31x", "1-1"
    number: str | None  # as printed
    section: str | None
    title: str
    text: str
    lines: Lines
    units: str | None = None  # the responsibility phrase as printed
    schedule: str | None = None  # a schedule cell / 完成时限
    section_heading: str | None = None  # the heading above, for what it says of deadlines


@dataclass(frozen=True)
class LayoutReading:
    tasks: tuple[RawTask, ...]
    annual_marker: str | None = None  # a column such as 年度进度要求 that makes every row due within the year


class Layout(Protocol):
    """A family of plan layouts. `score` says how well the text fits (0 = not at all); `read` reads its tasks."""

    name: ClassVar[str]

    def score(self, lines: tuple[str, ...]) -> float: ...

    def read(self, lines: tuple[str, ...]) -> LayoutReading: ...


def collapse(text: str) -> str:
    """White space collapsed to single spaces, ends trimmed (the task text as printed).

    >>> collapse(" 加大投入，\\t确保配置率\\n达到100%。 ")
    '加大投入， 确保配置率 达到100%。'
    """
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23.

    >>> cn_number("十二"), cn_number("三十"), cn_number("七")
    (12, 30, 7)
    """
    if not text or any(ch not in CN_NUMERALS for ch in text):
        return None
    if "十" not in text:
        return CN_NUMERALS.index(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    return (CN_NUMERALS.index(tens) if tens else 1) * 10 + (CN_NUMERALS.index(ones) if ones else 0)


def padded(number: str) -> str:
    """A printed task number as a key part: 7 → 07.

    >>> padded("7"), padded("18"), padded("2.1")
    ('07', '18', '2.1')
    """
    return number.zfill(2) if number.isdigit() else number
