"""A prose outline that names no agency: chapters 一、… and their items （一）…, each item a task.

    一、强化战略思维，推进食品产业提质升级
    （一）谋划实施食安战略。组织开展食品安全战略课题研究，……

Key parts are chapter-item (1-1); the printed number is 一（一）.
"""

from __future__ import annotations

from typing import ClassVar

from dutygraph.loaders.layouts.base import (
    SECTION_HEADING,
    SUB_HEADING,
    LayoutReading,
    RawTask,
    cn_number,
    collapse,
)
from dutygraph.loaders.punctuation import first_sentence
from dutygraph.loaders.records import Lines

# Chapters that hold the plan's aims or its safeguards rather than tasks.
_NOT_TASK_CHAPTERS = (
    "总体要求",
    "指导思想",
    "工作目标",
    "主要目标",
    "保障措施",
    "组织领导",
    "进度安排",
    "实施步骤",
)


class OutlineLayout:
    """Chapters and items of prose with no responsible units."""

    name: ClassVar[str] = "outline"

    def _items(self, lines: tuple[str, ...]) -> list[RawTask]:
        tasks: list[RawTask] = []
        chapter: tuple[int, str] | None = None
        for index, line in enumerate(lines, start=1):
            if heading := SECTION_HEADING.match(line):
                number = cn_number(heading["num"])
                title = collapse(heading["text"])
                skip = any(word in title for word in _NOT_TASK_CHAPTERS)
                chapter = None if number is None or skip else (number, title)
                continue
            item = SUB_HEADING.match(line)
            if chapter is None or item is None:
                continue
            item_number = cn_number(item["num"])
            if item_number is None:
                continue
            text = collapse(item["text"])
            chapter_numeral = "一二三四五六七八九十"[chapter[0] - 1] if chapter[0] <= 10 else str(chapter[0])
            tasks.append(
                RawTask(
                    key_suffix=f"{chapter[0]}-{item_number}",
                    number=f"{chapter_numeral}（{item['num']}）",
                    section=chapter[1],
                    title=first_sentence(text),
                    text=text,
                    lines=Lines(index, index),
                    section_heading=chapter[1],
                )
            )
        return tasks

    def score(self, lines: tuple[str, ...]) -> float:
        found = len(self._items(lines))
        return min(0.3, 0.02 * found) if found >= 3 else 0.0

    def read(self, lines: tuple[str, ...]) -> LayoutReading:
        return LayoutReading(tuple(self._items(lines)))
