"""Split a responsibility phrase into units and their roles (lead / assist / responsible).

The wording families, whatever the layout they sit in:
- ▲ marks the lead in a table: ``▲市农业农村局、各乡镇（街道）``;
- ``X牵头，Y、Z按职责分工负责`` / ``X牵头，Y、Z配合`` / ``X（牵头）``;
- ``由X负责，Y、Z配合`` / ``牵头单位：X；配合单位：Y``;
- a plain list ``X、Y、Z`` or ``X、Y按职责分工负责``: several units, none singled out → responsible;
- one unit alone (``区市场监管局``, ``区市场监管局负责``, ``X按职责分工负责``) → lead.
A trailing 等 / 等部门 marks an open list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dutygraph.loaders.punctuation import normalise, split_outside_brackets
from dutygraph.loaders.records import Role

LEAD_MARK = "▲"
_UNIT_SEPARATORS = "、，,；;"
# Words that say how a unit takes part, not who it is.
_DUTY_TAIL = re.compile(
    r"(按(照)?(各自)?(职责|责任|省级部门|部门)?(分工)(负责|落实|配合)?|按(照)?(各自)?(职责|责任|省级部门|部门)?(分工)?(负责|落实|配合)|按职能分工负责|分别负责|共同负责|负责落实|负责|配合|协助|参与)$"
)
_OPEN_TAIL = re.compile(r"等(有关|相关)?(部门|单位)?$")
_LEAD_SUFFIX = re.compile(r"[（(]?牵头(单位)?[）)]?$")
_LABELLED = re.compile(r"(牵头单位|主责单位|责任单位|配合单位|协办单位|参与单位)[：:]")
_BY_LEAD = re.compile(r"^由(?P<lead>.+?)(牵头|负责)[，,](?P<rest>.+?)(配合|协助|参与)(实施|落实)?$")


@dataclass(frozen=True)
class UnitRole:
    """One unit as written in the phrase, with the role the phrase gives it.

    `name` is what to resolve when it differs from the wording: 市、县两级食安办 is two units, 市食安办 and 县级食安办.
    """

    as_written: str
    role: Role
    name: str = ""

    @property
    def resolvable(self) -> str:
        return self.name or self.as_written


@dataclass(frozen=True)
class RoleReading:
    units: tuple[UnitRole, ...]
    open_list: bool = False


def _clean(unit: str) -> tuple[str, bool]:
    """Strip duty words and a trailing 等 from one unit; say whether the list was open."""
    unit = unit.strip(" 。.")
    open_list = False
    for _ in range(3):
        before = unit
        unit = _DUTY_TAIL.sub("", unit).strip()
        if _OPEN_TAIL.search(unit):
            unit = _OPEN_TAIL.sub("", unit).strip()
            open_list = True
        if unit == before:
            break
    return unit, open_list


def _units(phrase: str) -> tuple[list[str], bool]:
    pieces = split_outside_brackets(phrase, _UNIT_SEPARATORS)
    levels = re.match(r"^([省市区县]、[市区县镇乡]两级)", phrase)
    if levels:
        # 市、县两级食安办、市场监管部门: every unit of that clause is at both levels.
        head = levels.group(1)
        first, _, tail = phrase[levels.end() :].partition("，")
        pieces = [f"{head}{u}" for u in split_outside_brackets(first, "、")]
        pieces += split_outside_brackets(tail, _UNIT_SEPARATORS)
    units: list[str] = []
    open_list = False
    for raw in pieces:
        unit, is_open = _clean(raw)
        open_list = open_list or is_open
        if unit:
            units.append(unit)
    return units, open_list


def _plain(units: list[str], open_list: bool) -> RoleReading:
    expanded = [pair for u in units for pair in _two_levels(u)]
    role: Role = "lead" if len(expanded) == 1 else "responsible"
    return RoleReading(tuple(UnitRole(written, role, name) for written, name in expanded), open_list)


_TWO_LEVELS = re.compile(r"^(?P<upper>[省市区县])、(?P<lower>[市区县镇乡])两级(?P<unit>.+)$")


def _two_levels(unit: str) -> list[tuple[str, str]]:
    """市、县两级食安办 → the city's office and the counties' offices, both as written.

    >>> _two_levels("市、县两级食安办")
    [('市、县两级食安办', '市食安办'), ('市、县两级食安办', '县级食安办')]
    """
    match = _TWO_LEVELS.match(unit)
    if match is None:
        return [(unit, "")]
    return [(unit, f"{match['upper']}{match['unit']}"), (unit, f"{match['lower']}级{match['unit']}")]


def _lead_and_rest(lead: str, rest: str) -> RoleReading:
    leads, open_a = _units(lead)
    assists, open_b = _units(rest)
    units = [UnitRole(u, "lead") for u in leads] + [UnitRole(u, "assist") for u in assists]
    return RoleReading(tuple(units), open_a or open_b)


def read_roles(phrase: str) -> RoleReading:
    """Units and roles in one responsibility phrase.

    >>> [(u.as_written, u.role) for u in read_roles("区市场监管局牵头，区农水局、区卫健局按职责分工负责").units]
    [('区市场监管局', 'lead'), ('区农水局', 'assist'), ('区卫健局', 'assist')]
    >>> [(u.as_written, u.role) for u in read_roles("▲市农业农村局、市生态环境局、各乡镇（街道）").units]
    [('市农业农村局', 'lead'), ('市生态环境局', 'assist'), ('各乡镇（街道）', 'assist')]
    >>> [(u.as_written, u.role) for u in read_roles("区农水局、区卫健局、区市场监管局按职责分工负责").units]
    [('区农水局', 'responsible'), ('区卫健局', 'responsible'), ('区市场监管局', 'responsible')]
    >>> [(u.as_written, u.role) for u in read_roles("区市场监管局按职责分工负责").units]
    [('区市场监管局', 'lead')]
    >>> r = read_roles("市公安局、市市场监管局等部门")
    >>> r.open_list, [u.role for u in r.units]
    (True, ['responsible', 'responsible'])
    >>> [(u.as_written, u.role) for u in read_roles("县教育局（牵头）、县卫健局").units]
    [('县教育局', 'lead'), ('县卫健局', 'assist')]
    >>> [(u.as_written, u.role) for u in read_roles("由县农业农村局负责，县市场监管局、县卫健局配合").units]
    [('县农业农村局', 'lead'), ('县市场监管局', 'assist'), ('县卫健局', 'assist')]
    >>> [(u.as_written, u.role) for u in read_roles("牵头单位：市商务局；配合单位：市公安局、市财政局").units]
    [('市商务局', 'lead'), ('市公安局', 'assist'), ('市财政局', 'assist')]
    """
    text = normalise(phrase).strip("。")
    if not text:
        return RoleReading(())

    # "X（牵头）、Y、Z": the mark names the unit it follows, as ▲ names the unit it precedes.
    text = re.sub(r"（牵头(单位)?）", LEAD_MARK, text)
    if LEAD_MARK in text:
        return _marked(text)

    if _LABELLED.search(text):
        return _labelled(text)

    by_lead = _BY_LEAD.match(text)
    if by_lead:
        return _lead_and_rest(by_lead["lead"], by_lead["rest"])

    # "X、Y牵头，Z按职责分工负责" — the lead clause ends at the first 牵头.
    lead_at = _find_lead_word(text)
    if lead_at is not None:
        lead, rest = text[: lead_at[0]], text[lead_at[1] :].lstrip("，,；;、")
        return _lead_and_rest(lead, rest)

    units_list, open_list = _units(text)
    return _plain(units_list, open_list)


def _marked(text: str) -> RoleReading:
    """Units marked ▲ lead; the others in the same list assist."""
    units: list[UnitRole] = []
    open_list = False
    for raw in split_outside_brackets(text, _UNIT_SEPARATORS):
        unit, is_open = _clean(raw.replace(LEAD_MARK, ""))
        open_list = open_list or is_open
        if unit:
            units.append(UnitRole(unit, "lead" if LEAD_MARK in raw else "assist"))
    return RoleReading(tuple(units), open_list)


def _find_lead_word(text: str) -> tuple[int, int] | None:
    """Where the lead clause's 牵头 is (start, end), if the phrase has one."""
    match = re.search(r"牵头(单位)?", text)
    if match is None:
        return None
    return match.start(), match.end()


def _labelled(text: str) -> RoleReading:
    """``牵头单位：X；配合单位：Y`` and ``责任单位：X``."""
    parts = re.split(r"(牵头单位|主责单位|责任单位|配合单位|协办单位|参与单位)[：:]", text)
    units: list[UnitRole] = []
    open_list = False
    plain: list[str] = []
    for label, body in zip(parts[1::2], parts[2::2], strict=False):
        found, is_open = _units(body)
        open_list = open_list or is_open
        if label in ("牵头单位", "主责单位"):
            units.extend(UnitRole(u, "lead") for u in found)
        elif label in ("配合单位", "协办单位", "参与单位"):
            units.extend(UnitRole(u, "assist") for u in found)
        else:
            plain.extend(found)
    if plain:
        units.extend(_plain(plain, False).units)
    return RoleReading(tuple(units), open_list)


def is_lead_suffixed(unit: str) -> bool:
    """`X（牵头）` written inside a list.

    >>> is_lead_suffixed("市教育局（牵头）")
    True
    """
    return bool(_LEAD_SUFFIX.search(normalise(unit)))
