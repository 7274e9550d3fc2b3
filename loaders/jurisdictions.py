"""Jurisdictions by GB/T 2260 code: the division table, names as plans write them, the place a
title names.

A plan says 市 or 区 and means its own city or district, so every jurisdiction is identified by its GB/T 2260
code and linked to its parent (county → city → province). The table is `data/divisions/gb2260.tsv`, written by
`data/divisions/generate.py` from the newest revision of the official list (see there for source and licence).

>>> table = DivisionTable.load()
>>> jiaojiang = table.find_in_text("台州市椒江区食品安全领域改革重点任务清单")
>>> jiaojiang
Jurisdiction(code='331002', name='椒江区', level='district', parent_code='331000')
>>> [j.name for j in table.parents(jiaojiang)]
['台州市', '浙江省']
>>> table.full_name(jiaojiang), table.short_name(jiaojiang)
('台州市椒江区', '椒江')
>>> [j.code for j in table.lookup("瑞安", within=table.by_code("330300"))]
['330381']
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import get_args

from dutygraph.loaders.records import Jurisdiction, JurisdictionLevel

_LEVELS: dict[str, JurisdictionLevel] = {level: level for level in get_args(JurisdictionLevel)}
_TSV_HEADER = "code\tname\tlevel\tparent_code"

# Suffixes stripped for the short name, per level, longest first. 林区/特区 only at county level: 碑林区 is a
# district named 碑林. A suffix is only stripped when at least two characters remain (城区 stays 城区).
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "province": ("特别行政区", "自治区", "省"),
    "municipality": ("市",),
    "prefecture-city": ("自治州", "地区", "市", "盟"),
    "district": ("新区", "矿区", "区"),
    "county-level-city": ("市",),
    "county": ("自治县", "自治旗", "林区", "特区", "县", "旗"),
    "township": ("街道", "镇", "乡"),
}

# The 55 minority nationalities as written in names of autonomous areas (族 is optional there:
# 伊犁哈萨克自治州), plus 各 of 龙胜各族自治县. Longest first so that 土家 is tried before 土.
# fmt: off
_NATIONALITY_NAMES = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
    "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
    "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)
# fmt: on
_NATIONALITIES = sorted(_NATIONALITY_NAMES, key=len, reverse=True)
# 景宁畲族自治县 → 景宁, 双江拉祜族佤族布朗族傣族自治县 → 双江: the place part is what precedes
# the nationalities.
_AUTONOMOUS_NAME = re.compile(rf"^(.{{2,}}?)(?:(?:{'|'.join(_NATIONALITIES)})族?)+自治[区州县旗]$")
# How plans abbreviate an autonomous area: 恩施土家族苗族自治州 → 恩施州, 景宁畲族自治县 → 景宁县.
_AUTONOMOUS_ABBREVIATION = {"自治州": "州", "自治县": "县", "自治旗": "旗"}

# District names that are also ordinary words of plan prose (主城区, 老城区, 城东区 …): in running
# text they name a place only right after their parent's name (西宁市城东区). Districts whose stem
# is one character (城区, 矿区, 郊区) are treated the same way without being listed.
# fmt: off
_WORDLIKE_DISTRICT_NAMES = frozenset({
    "老城区", "新城区", "城东区", "城西区", "城南区", "城北区", "城中区", "城关区", "市中区", "新市区",
    "西市区", "市北区", "市南区",
})
# fmt: on
# What may stand right before a place name whose stem is one character (沙县, 新县, 单县) for it to
# count as a name and not as the tail of a word (简单县级, 更新县域): the start of the text, a
# non-Han character, or these.
_BEFORE_SHORT_NAME = ("年", "关于", "印发", "转发")
# A 市 or 区 that begins the next word is not the end of a place name: 永安市场 is a market, 西湖区域 an area.
_NOT_A_NAME_END = {"市": "场", "区": "域"}
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Ranks of how a written name matched, best first.
_RANK_QUALIFIED = 0  # full name or name written under a named parent: 台州市椒江区, 温州瑞安
_RANK_NAME = 1  # the official name: 椒江区
_RANK_ABBREVIATION = 2  # 景宁县 for 景宁畲族自治县
_RANK_SHORT = 3  # 椒江, 瑞安


@dataclass(frozen=True)
class _Match:
    """A place name found in a text, with the codes it may stand for."""

    start: int
    end: int
    codes: tuple[str, ...]


class DivisionTable:
    """The GB/T 2260 divisions, indexed by code, parent and every way plans write their names.

    Build it with `DivisionTable.load()` (the bundled table, read once); the constructor takes any rows,
    which must name only parents that are themselves rows.

    :raises ValueError: from the constructor, when a code repeats or a parent code is not in the rows.
    """

    def __init__(self, jurisdictions: Iterable[Jurisdiction]) -> None:
        self._by_code: dict[str, Jurisdiction] = {}
        for jurisdiction in jurisdictions:
            if jurisdiction.code in self._by_code:
                raise ValueError(f"division {jurisdiction.code} listed twice")
            self._by_code[jurisdiction.code] = jurisdiction
        children: defaultdict[str, list[Jurisdiction]] = defaultdict(list)
        for jurisdiction in self._by_code.values():
            if jurisdiction.parent_code is None:
                continue
            if jurisdiction.parent_code not in self._by_code:
                raise ValueError(
                    f"division {jurisdiction.code}: parent {jurisdiction.parent_code} not in the table"
                )
            children[jurisdiction.parent_code].append(jurisdiction)
        self._children = {code: tuple(sorted(kids, key=lambda j: j.code)) for code, kids in children.items()}
        # written name → {code: rank}; official names and abbreviations are what find_in_text looks for.
        self._written: defaultdict[str, dict[str, int]] = defaultdict(dict)
        self._in_text: defaultdict[str, set[str]] = defaultdict(set)
        for jurisdiction in self._by_code.values():
            code = jurisdiction.code
            self._index(self.full_name(jurisdiction), code, _RANK_QUALIFIED)
            self._index(jurisdiction.name, code, _RANK_NAME)
            self._in_text[jurisdiction.name].add(code)
            abbreviation = self._abbreviation(jurisdiction)
            if abbreviation is not None:
                self._index(abbreviation, code, _RANK_ABBREVIATION)
                self._in_text[abbreviation].add(code)
            self._index(self.short_name(jurisdiction), code, _RANK_SHORT)
        self._longest_in_text = max((len(name) for name in self._in_text), default=0)

    @classmethod
    def load(cls) -> DivisionTable:
        """The bundled GB/T 2260 table, read once per process.

        >>> DivisionTable.load().by_code("330382").name
        '乐清市'
        """
        return division_table()

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Jurisdiction]:
        """Every division, in code order."""
        return iter(sorted(self._by_code.values(), key=lambda j: j.code))

    def by_code(self, code: str) -> Jurisdiction:
        """The division with this GB/T 2260 code.

        >>> DivisionTable.load().by_code("120119")
        Jurisdiction(code='120119', name='蓟州区', level='district', parent_code='120000')

        :raises KeyError: when no division has the code.
        """
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"no GB/T 2260 division with code {code!r}") from None

    def parents(self, jurisdiction: Jurisdiction) -> tuple[Jurisdiction, ...]:
        """The divisions above, nearest first.

        >>> table = DivisionTable.load()
        >>> [j.name for j in table.parents(table.by_code("120119"))]
        ['天津市']
        """
        chain: list[Jurisdiction] = []
        code = jurisdiction.parent_code
        while code is not None:
            parent = self._by_code[code]
            chain.append(parent)
            code = parent.parent_code
        return tuple(chain)

    def children(self, jurisdiction: Jurisdiction) -> tuple[Jurisdiction, ...]:
        """The divisions directly below, in code order.

        >>> table = DivisionTable.load()
        >>> [j.name for j in table.children(table.by_code("331000"))][:3]
        ['椒江区', '黄岩区', '路桥区']
        """
        return self._children.get(jurisdiction.code, ())

    def full_name(self, jurisdiction: Jurisdiction) -> str:
        """The name as a plan heading writes it: a district under its city, everything else alone.

        District names repeat across China (朝阳区, 鼓楼区, 城区); county, city and province names do
        not, so this name identifies one division.

        >>> table = DivisionTable.load()
        >>> codes = ("331002", "120119", "330382", "331023", "330300")
        >>> [table.full_name(table.by_code(code)) for code in codes]
        ['台州市椒江区', '天津市蓟州区', '乐清市', '天台县', '温州市']
        """
        if jurisdiction.level == "district" and jurisdiction.parent_code is not None:
            parent = self._by_code[jurisdiction.parent_code]
            if parent.level in {"prefecture-city", "municipality"}:
                return parent.name + jurisdiction.name
        return jurisdiction.name

    def short_name(self, jurisdiction: Jurisdiction) -> str:
        """The name without its level suffix, as in 乐清 or 天台; a name that would shrink to one
        character stays whole, and an autonomous area keeps only its place part.

        >>> table = DivisionTable.load()
        >>> codes = ("330382", "331002", "331023", "330324", "120119")
        >>> [table.short_name(table.by_code(code)) for code in codes]
        ['乐清', '椒江', '天台', '永嘉', '蓟州']
        >>> [table.short_name(table.by_code(code)) for code in ("140302", "331127", "450000", "422800")]
        ['城区', '景宁', '广西', '恩施']
        """
        name = jurisdiction.name
        autonomous = _AUTONOMOUS_NAME.match(name)
        if autonomous:
            return autonomous.group(1)
        for suffix in _SUFFIXES[jurisdiction.level]:
            stem = name.removesuffix(suffix)
            if stem != name and len(stem) >= 2:
                # 东乡族自治县 has no place part before its nationality: the nationality is the place name.
                return stem.removesuffix("族") if suffix.startswith("自治") and len(stem) > 2 else stem
        return name

    def lookup(self, name: str, *, within: Jurisdiction | None = None) -> tuple[Jurisdiction, ...]:
        """Every division the written name may stand for, best first.

        Accepts full names (台州市椒江区), official names (椒江区), short names (椒江), abbreviations
        of autonomous areas (景宁县) and names written under any named ancestor (浙江省台州市椒江区,
        温州瑞安). Best first means: written with its parent, then the official name, then an
        abbreviation, then a short name; among equals the higher level first (吉林 → 吉林省 before
        吉林市), then by code. `within` keeps only that division and the divisions below it.

        >>> table = DivisionTable.load()
        >>> [(j.code, table.full_name(j)) for j in table.lookup("朝阳区")]
        [('110105', '北京市朝阳区'), ('220104', '长春市朝阳区')]
        >>> [j.code for j in table.lookup("朝阳区", within=table.by_code("220000"))]
        ['220104']
        >>> [j.code for j in table.lookup("温州市瑞安市")], [j.code for j in table.lookup("市场")]
        (['330381'], [])
        """
        ranked = self._ranked_candidates(name.strip())
        if within is not None:
            ranked = {
                code: rank
                for code, rank in ranked.items()
                if code == within.code or within in self.parents(self._by_code[code])
            }
        order = sorted(ranked, key=lambda code: (ranked[code], len(self.parents(self._by_code[code])), code))
        return tuple(self._by_code[code] for code in order)

    def find_in_text(self, text: str) -> Jurisdiction | None:
        """The most specific division named where a plan title or heading first names a place.

        Rules, in order:

        - only official names (蓟州区, 天台县, 景宁畲族自治县) and abbreviations of autonomous areas
          (景宁县) count, never short names: 天台 or 瑞安 alone are too often part of other words;
        - the text is read left to right taking the longest name at each place; a name ending in 市
          or 区 that runs into 场 or 域 is skipped (永安市场 is a market, not 永安市);
        - a name whose stem is one character (沙县, 新县) counts only at the start, after a non-Han
          character, after 年/关于/印发/转发, or right after its parent's name; district names that
          are also ordinary words (城区, 矿区, 老城区, 城东区 …) count only right after their parent;
        - the first run of names written one after another is the subject (天津市蓟州区); names
          later in the text do not override it; each name must lie below the one before it;
        - a name shared by several divisions (朝阳区 in 北京 and 长春) is resolved by the name before
          it or, failing that, by an ancestor named anywhere in the text; if it stays ambiguous the
          result is the division named before it, or None: no guessing.

        >>> table = DivisionTable.load()
        >>> [table.find_in_text(title).code for title in (
        ...     "天津市蓟州区人民政府办公室关于印发",
        ...     "蓟州区2020年食品安全监督管理计划",
        ...     "乐清市食品安全示范城市国省联创工作方案",
        ...     "2018年温州市食品安全工作责任分工一览表",
        ...     "2019年天台县食品安全工作要点",
        ... )]
        ['120119', '120119', '330382', '330300', '331023']
        >>> table.find_in_text("朝阳区食品安全工作要点") is None
        True
        >>> table.find_in_text("北京市朝阳区食品安全工作要点").code
        '110105'
        """
        matches = self._scan(text)
        if not matches:
            return None
        run = [matches[0]]
        for match in matches[1:]:
            if text[run[-1].end : match.start].strip():
                break
            run.append(match)
        named_anywhere = {code for match in matches for code in match.codes}
        chosen: Jurisdiction | None = None
        for match in run:
            candidates = [self._by_code[code] for code in match.codes]
            if chosen is not None:
                candidates = [c for c in candidates if chosen in self.parents(c)]
            if len(candidates) > 1:
                candidates = [c for c in candidates if any(p.code in named_anywhere for p in self.parents(c))]
            if len(candidates) != 1:
                break
            chosen = candidates[0]
        return chosen

    def _index(self, written: str, code: str, rank: int) -> None:
        known = self._written[written]
        known[code] = min(rank, known.get(code, rank))

    def _abbreviation(self, jurisdiction: Jurisdiction) -> str | None:
        for suffix, abbreviated in _AUTONOMOUS_ABBREVIATION.items():
            if jurisdiction.name.endswith(suffix):
                return self.short_name(jurisdiction) + abbreviated
        return None

    def _ranked_candidates(self, name: str) -> dict[str, int]:
        """Codes the name may stand for with their rank; a name may be split into an ancestor and the rest."""
        memo: dict[int, dict[str, int]] = {}

        def from_position(start: int) -> dict[str, int]:
            if start in memo:
                return memo[start]
            found = dict(self._written.get(name[start:], {}))
            for split in range(start + 2, len(name) - 1):
                heads = self._written.get(name[start:split])
                if not heads:
                    continue
                for code in from_position(split):
                    ancestors = {p.code for p in self.parents(self._by_code[code])}
                    if ancestors.intersection(heads):
                        found[code] = _RANK_QUALIFIED
            memo[start] = found
            return found

        return from_position(0) if name else {}

    def _scan(self, text: str) -> list[_Match]:
        """Place names in the text, left to right, longest first, with the guards of `find_in_text`."""
        matches: list[_Match] = []
        position = 0
        while position < len(text):
            match = self._match_at(text, position, matches[-1] if matches else None)
            if match is None:
                position += 1
            else:
                matches.append(match)
                position = match.end
        return matches

    def _match_at(self, text: str, start: int, previous: _Match | None) -> _Match | None:
        adjacent_parents: set[str] = set()
        if previous is not None and not text[previous.end : start].strip():
            adjacent_parents = set(previous.codes)
        for length in range(min(self._longest_in_text, len(text) - start), 1, -1):
            written = text[start : start + length]
            codes = self._in_text.get(written)
            if not codes:
                continue
            following = text[start + length : start + length + 1]
            if following and _NOT_A_NAME_END.get(written[-1]) == following:
                continue
            kept = tuple(
                sorted(code for code in codes if self._may_be_named(text, start, code, adjacent_parents))
            )
            if kept:
                return _Match(start, start + length, kept)
        return None

    def _may_be_named(self, text: str, start: int, code: str, adjacent_parents: set[str]) -> bool:
        jurisdiction = self._by_code[code]
        after_parent = jurisdiction.parent_code in adjacent_parents
        short = self.short_name(jurisdiction)
        if jurisdiction.level == "district" and (
            jurisdiction.name in _WORDLIKE_DISTRICT_NAMES or short == jurisdiction.name
        ):
            return after_parent
        if short == jurisdiction.name:  # a one-character stem: 沙县, 新县, 芒市
            before = text[:start].rstrip()
            return (
                after_parent
                or not before
                or not _HAN.match(before[-1])
                or before.endswith(_BEFORE_SHORT_NAME)
            )
        return True


def _read_divisions(tsv: str) -> list[Jurisdiction]:
    """Rows of the bundled `gb2260.tsv`.

    >>> _read_divisions("code\\tname\\tlevel\\tparent_code\\n120000\\t天津市\\tmunicipality\\t\\n")
    [Jurisdiction(code='120000', name='天津市', level='municipality', parent_code=None)]

    :raises ValueError: when the header or a row is not what `generate.py` writes.
    """
    lines = tsv.splitlines()
    if not lines or lines[0] != _TSV_HEADER:
        raise ValueError(f"gb2260.tsv: header is not {_TSV_HEADER!r}")
    divisions: list[Jurisdiction] = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != 4 or fields[2] not in _LEVELS:
            raise ValueError(f"gb2260.tsv:{number}: not code, name, level, parent_code: {line!r}")
        code, name, level, parent_code = fields
        divisions.append(Jurisdiction(code, name, _LEVELS[level], parent_code or None))
    return divisions


@functools.cache
def division_table() -> DivisionTable:
    """The bundled division table; built on first use, then shared."""
    resource = importlib.resources.files("dutygraph.data") / "divisions" / "gb2260.tsv"
    return DivisionTable(_read_divisions(resource.read_text(encoding="utf-8")))
