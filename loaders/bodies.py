"""Leading groups, committees and their offices a plan sets up, with members and the bureau hosting the office.

乐清市食品安全示范城市国省联创工作领导小组及成员单位职责分工
成 员：市府办主任、联系工作副主任，市委组织部、市委宣传部……负责人，……各乡镇人民政府（街道办事处）主要负责人。
领导小组下设办公室，办公室设在市市场监管局，……
"""

from __future__ import annotations

import re

from dutygraph.loaders.agency_names import NameContext, resolve_name
from dutygraph.loaders.punctuation import normalise, split_outside_brackets
from dutygraph.loaders.records import Agency, Body, BodyKind, Lines

_BODY_NAME = re.compile(
    r"(?P<name>[\u4e00-\u9fff“”]{4,40}?(领导小组|工作小组|委员会))(?=及|成员|$|职责|组成)"
)
_MEMBERS = re.compile(r"^成\s*员\s*[：:](?P<members>.+)$")
_OFFICE = re.compile(
    r"下设(?P<office>办公室|[\u4e00-\u9fff]{0,8}办)[，,。]?(办公室)?设在(?P<host>[^，,。；]+)"
)
_PERSON_WORDS = re.compile(r"(主要|分管|联系工作)?(负责人|负责同志|副?主任|副?局长|领导)$")


def _members(text: str, names: NameContext) -> tuple[Agency, ...]:
    found: list[Agency] = []
    for piece in split_outside_brackets(normalise(text).strip("。"), "、，,；"):
        unit = _PERSON_WORDS.sub("", piece.replace(" ", ""))
        if len(unit) < 2:
            continue  # 联系工作副主任: a person, not a unit
        agency = resolve_name(unit, names)
        if agency.type_key != "other" and agency not in found:
            found.append(agency)
    return tuple(found)


def read_bodies(lines: tuple[str, ...], names: NameContext) -> tuple[Body, ...]:
    """The bodies a plan sets up, where it lists members or an office.

    >>> from dutygraph.loaders.jurisdictions import division_table
    >>> names = NameContext.of(division_table().by_code("330382"))
    >>> body = read_bodies(("乐清市食品安全示范城市国省联创工作领导小组及成员单位职责分工", "成 员：市委组织部、市教育局负责人。",
    ...                     "领导小组下设办公室，办公室设在市市场监管局。"), names)[0]
    >>> body.name, body.office
    ('乐清市食品安全示范城市国省联创工作领导小组', '乐清市食品安全示范城市国省联创工作领导小组办公室')
    >>> body.office_hosted_by.canonical, [m.type_key for m in body.members]
    ('乐清市市场监督管理局', ['party-organization', 'education'])
    """
    name: str | None = None
    first = 0
    members: tuple[Agency, ...] = ()
    office: str | None = None
    host: Agency | None = None
    last = 0
    for number, line in enumerate(lines, start=1):
        text = normalise(line).replace(" ", "")
        if not text:
            continue
        found = _BODY_NAME.search(text) if name is None or not members else None
        if found and not text.startswith(("附件：", "调整")):
            name, first, last = found["name"], number, number
        if name is None:
            continue
        if match := _MEMBERS.match(text):
            members, last = _members(match["members"], names), number
        elif match := _OFFICE.search(text):
            office = f"{name}{match['office']}" if match["office"] == "办公室" else match["office"]
            host, last = resolve_name(match["host"], names), number
            break
    if name is None or not (members or office):
        return ()
    kind: BodyKind = "leading-group" if "小组" in name else "committee"
    return (Body(name, kind, Lines(first, last), office, host, members),)
