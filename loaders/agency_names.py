"""Bureau names as plans write them → one agency: its jurisdiction and its type.

A name is read as [jurisdiction][bureau]: the jurisdiction is a place name (台州市椒江区, 瑞安) or a level word
that means the plan's own place (区农水局 in a district plan, 市市场监管局 in a city plan; 市 in a district plan is
the city above it); the bureau is matched against the names of the agency-type scheme (`ontology/agency-types.ttl`),
longest first. Group wordings (各乡镇（街道）, 各县（市、区）政府, 区食安委相关成员单位, 各有关部门) become group
agencies of the plan's jurisdiction, not one bureau.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from dutygraph.loaders.jurisdictions import DivisionTable, division_table
from dutygraph.loaders.punctuation import normalise, strip_brackets
from dutygraph.loaders.records import Agency, Jurisdiction
from dutygraph.ontology import agency_type_labels, agency_type_names

_CITY_LEVELS = ("prefecture-city", "county-level-city", "municipality")
_COUNTY_LEVELS = ("county", "county-level-city", "district")
_TOWNSHIP_GROUP = re.compile(r"^各(乡镇|镇|乡|街道)|^各?乡镇(（?街道）?|街)|^(镇|乡镇|街道)级")
_COUNTY_GROUP = re.compile(r"^各(县|区|地)|^(县|区)级")
_COMMITTEE_MEMBERS = re.compile(r"成员单位$")
_ALL_DEPARTMENTS = re.compile(r"^各?(有关|相关)?(部门|单位)$|^各有关|^各相关|^有关部门|^相关部门")
_MEMBER_WORDS = re.compile(r"(主要)?(负责人|负责同志|主任|副主任|局长)$")
_GOVERNMENT_WORDS = ("人民政府", "政府", "管委会", "功能区管委会", "功能区")


@dataclass(frozen=True)
class NameContext:
    """Whose plan it is: the place its 市/区/县 mean."""

    plan: Jurisdiction
    table: DivisionTable

    @classmethod
    def of(cls, plan: Jurisdiction) -> NameContext:
        return cls(plan, division_table())


@functools.lru_cache(maxsize=8192)  # a corpus writes a few thousand bureau names, each many times
def _type_of(bureau: str) -> str | None:
    """The agency type whose name the bureau is written with: exactly, else the longest it ends with.

    >>> _type_of("农水局"), _type_of("农业农村和水利局"), _type_of("水利局"), _type_of("委宣传部")
    ('agriculture', 'agriculture', 'water-resources', 'party-propaganda')
    """
    labels = agency_type_labels()
    for label, key in labels:
        if bureau == label:
            return key
    for label, key in labels:
        if len(label) >= 2 and bureau.endswith(label):
            return key
    return None


def canonical_name(jurisdiction: Jurisdiction, type_key: str, *, table: DivisionTable) -> str:
    """The full name a bureau of this type has in this jurisdiction.

    >>> table = division_table()
    >>> canonical_name(table.by_code("331002"), "market-regulation", table=table)
    '台州市椒江区市场监督管理局'
    >>> canonical_name(table.by_code("330382"), "party-propaganda", table=table)
    '中共乐清市委宣传部'
    """
    place = table.full_name(jurisdiction)
    label = agency_type_names().get(type_key, type_key)
    if type_key.startswith("party-") and label.startswith("党委"):
        return f"中共{place}{label.removeprefix('党')}"
    return f"{place}{label}"


def _group(ctx: NameContext, group_type: str, member_type: str | None, written: str) -> Agency:
    place = ctx.table.full_name(ctx.plan)
    members = agency_type_names().get(member_type or "", "")
    canonical = {
        "township-government": f"{place}各乡镇人民政府（街道办事处）",
        "county-government": f"{place}各县（市、区）{members or '人民政府'}"
        + ("、功能区管委会" if "功能区" in written else ""),
        "committee-members": f"{place}食品安全委员会成员单位",
        "all-departments": f"{place}各有关部门",
    }[group_type]
    if group_type == "township-government" and members and member_type != "government":
        canonical = f"{place}各乡镇（街道）{members}"
    return Agency(canonical, group_type, ctx.plan, group=True, member_type=member_type)


def _level_place(ctx: NameContext, level_word: str) -> Jurisdiction | None:
    """What 市 / 区 / 县 / 省 at the head of a name means in this plan."""
    plan, parents = ctx.plan, ctx.table.parents(ctx.plan)
    if level_word == "省":
        return next((p for p in (plan, *parents) if p.level == "province"), None)
    if level_word == "市":
        if plan.level in _CITY_LEVELS:
            return plan
        return next((p for p in parents if p.level in _CITY_LEVELS), None)
    if level_word in ("区", "县"):
        return plan
    return None


def _split_place(ctx: NameContext, name: str) -> tuple[Jurisdiction, str]:
    """Split a name into the jurisdiction it names (or means) and the bureau part."""
    table, plan = ctx.table, ctx.plan
    # A place name written in full or short, the plan's own or one below/above it.
    own = (table.full_name(plan), plan.name, table.short_name(plan))
    for prefix in own:
        if name.startswith(prefix) and len(name) > len(prefix):
            return plan, name[len(prefix) :]
    if _type_of(name) is None:
        # A place alone (瑞安、永嘉) stands for its government.
        places = table.lookup(name, within=plan) or table.lookup(name, within=_top(ctx))
        if places:
            return places[0], ""
    for cut in range(min(len(name) - 1, 10), 1, -1):
        head, rest = name[:cut], name[cut:]
        if _type_of(rest) is None and rest not in _GOVERNMENT_WORDS:
            continue
        found = table.lookup(head, within=_top(ctx))
        if found:
            return found[0], rest
    # 公安蓟州分局, 蓟州海关: the plan's own place written inside the name.
    for written in own[1:]:
        if written in name and name != written:
            return plan, name.replace(written, "")
    if name[0] in "省市区县" and len(name) > 1:
        place = _level_place(ctx, name[0])
        rest = name[1:]
        if place is not None and (_type_of(rest) is not None or rest in _GOVERNMENT_WORDS):
            return place, rest
    return plan, name


def _top(ctx: NameContext) -> Jurisdiction:
    parents = ctx.table.parents(ctx.plan)
    return parents[-1] if parents else ctx.plan


def resolve_name(written: str, ctx: NameContext) -> Agency:
    """The agency (or group) a name written in a plan stands for.

    >>> ctx = NameContext.of(division_table().by_code("331002"))   # a 椒江区 plan
    >>> a = resolve_name("区农水局", ctx)
    >>> a.canonical, a.type_key, a.jurisdiction.code
    ('台州市椒江区农业农村局', 'agriculture', '331002')
    >>> resolve_name("区食安委相关成员单位", ctx).type_key
    'committee-members'
    >>> wenzhou = NameContext.of(division_table().by_code("330300"))
    >>> a = resolve_name("瑞安", wenzhou)
    >>> a.canonical, a.type_key, a.jurisdiction.code
    ('瑞安市人民政府', 'government', '330381')
    >>> resolve_name("各县（市、区）政府、功能区管委会", wenzhou).type_key
    'county-government'
    >>> jizhou = NameContext.of(division_table().by_code("120119"))
    >>> resolve_name("公安蓟州分局", jizhou).canonical
    '天津市蓟州区公安局'
    """
    name = _MEMBER_WORDS.sub("", normalise(written).replace(" ", ""))
    bare = strip_brackets(name)
    if _COMMITTEE_MEMBERS.search(bare):
        return _group(ctx, "committee-members", None, name)
    if _TOWNSHIP_GROUP.search(name):
        member = re.sub(r"^各?(乡镇|镇|乡|街道)(（?街道）?|（?镇）?|街)?级?", "", bare)
        return _group(ctx, "township-government", _type_of(member) or "government", name)
    if _COUNTY_GROUP.search(name) and ctx.plan.level not in _COUNTY_LEVELS:
        member = re.sub(r"^各?(县|区|地)(（[^）]*）)?级?", "", name)
        member = strip_brackets(member)
        return _group(ctx, "county-government", _type_of(member) or "government", name)
    if _ALL_DEPARTMENTS.search(bare):
        return _group(ctx, "all-departments", None, name)

    place, bureau = _split_place(ctx, bare)
    if bureau in _GOVERNMENT_WORDS or not bureau:
        return Agency(f"{ctx.table.full_name(place)}人民政府", "government", place)
    type_key = _type_of(bureau)
    if type_key is None:
        return Agency(f"{ctx.table.full_name(place)}{bureau}", "other", place)
    return Agency(canonical_name(place, type_key, table=ctx.table), type_key, place)


def is_bare_government(written: str) -> bool:
    """A name that is only 政府 / 管委会 with no place: it belongs to the group written before it.

    >>> is_bare_government("功能区管委会"), is_bare_government("政府"), is_bare_government("市政府")
    (True, True, False)
    """
    return normalise(written).replace(" ", "") in _GOVERNMENT_WORDS
