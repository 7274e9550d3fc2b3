"""Numbered prose items that end by naming who is responsible:

    一、年度重点工作任务
    1．落实食品安全责任制。贯彻《规定》，……（责任单位：区食安办、区市场监管局、各乡镇街）

The responsibility phrase is a closing parenthesis (责任单位：… / 牵头单位：…；配合单位：…) or a closing
sentence (由X负责，Y、Z配合). A 完成时限：… inside the item is its schedule.
"""

from __future__ import annotations

import re
from typing import ClassVar

from dutygraph.loaders.layouts.base import SECTION_HEADING, LayoutReading, RawTask, collapse, padded
from dutygraph.loaders.punctuation import first_sentence, fold
from dutygraph.loaders.records import Lines

ITEM = re.compile(r"^\s*(?P<num>\d{1,3})\s*[．.、]\s*(?P<text>\S.*)$")
_UNIT_LABEL = r"责任单位|责任部门|牵头单位|主责单位|配合单位|承办单位|实施主体"
_CLOSING_UNITS = re.compile(
    rf"[（(](?P<units>(?:{_UNIT_LABEL})[：:][^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]\s*。?\s*$"
)
_CLOSING_BY = re.compile(r"(?P<units>由[^。；]*?(负责|牵头)[^。]*?(配合|协助|参与)?[^。]*?)。?\s*$")
_SCHEDULE = re.compile(r"[（(]?(完成时限|时间要求|完成时间|时限)[：:](?P<when>[^）)；。]+)[）)]?[；。]?")


def _items(lines: tuple[str, ...]) -> list[tuple[str, str, str | None, Lines]]:
    """(number, text, heading, lines) of each numbered item, continuation lines joined."""
    items: list[tuple[str, str, str | None, Lines]] = []
    heading: str | None = None
    current: list[str] = []
    number = ""
    first = last = 0
    for index, line in enumerate(lines, start=1):
        heading_match = SECTION_HEADING.match(line)
        item_match = ITEM.match(fold(line))
        if heading_match or item_match or (not line.strip() and current and _ends_item(current)):
            if current:
                items.append((number, collapse(" ".join(current)), heading, Lines(first, last)))
                current = []
            if heading_match:
                heading = collapse(heading_match["text"])
            if item_match:
                number, current, first, last = item_match["num"], [item_match["text"]], index, index
            continue
        if current and line.strip():
            current.append(line.strip())
            last = index
    if current:
        items.append((number, collapse(" ".join(current)), heading, Lines(first, last)))
    return items


def _ends_item(current: list[str]) -> bool:
    return bool(_CLOSING_UNITS.search(fold(current[-1])))


def split_units(text: str) -> tuple[str, str | None]:
    """An item's text without its closing responsibility phrase, and that phrase.

    >>> split_units("建立监管制度。严格落实办法。（责任单位：区市场监管局、区检察院）")
    ('建立监管制度。严格落实办法。', '责任单位：区市场监管局、区检察院')
    >>> split_units("开展宣传周活动。由县市场监管局负责，县教育局配合。")
    ('开展宣传周活动。', '由县市场监管局负责，县教育局配合')
    """
    folded = fold(text)
    match = _CLOSING_UNITS.search(folded)
    if match is None:
        match = _CLOSING_BY.search(folded)
        if match is None or not match["units"].startswith("由"):
            return text, None
    return text[: match.start()].rstrip(), match["units"].strip("。 ")


class NumberedProseLayout:
    """Numbered items in running text, each closing with its responsible units."""

    name: ClassVar[str] = "numbered-prose"

    def score(self, lines: tuple[str, ...]) -> float:
        with_units = sum(1 for _, text, _, _ in _items(lines) if split_units(text)[1])
        return min(0.95, 0.4 + 0.05 * with_units) if with_units >= 2 else 0.0

    def read(self, lines: tuple[str, ...]) -> LayoutReading:
        tasks: list[RawTask] = []
        for number, raw_text, heading, span in _items(lines):
            text, units = split_units(raw_text)
            if units is None:
                continue
            schedule = _SCHEDULE.search(fold(text))
            if schedule:
                text = (text[: schedule.start()] + text[schedule.end() :]).strip()
            tasks.append(
                RawTask(
                    padded(number),
                    number,
                    heading,
                    first_sentence(text),
                    text,
                    span,
                    units,
                    schedule["when"].strip() if schedule else None,
                    heading,
                )
            )
        return LayoutReading(tuple(tasks))
