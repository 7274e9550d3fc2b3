"""A synthetic, national-scale corpus of plan files, written in the layouts the loaders read.

Scale N is N times the seed corpus: 5·N plan files, one of each wording family per five (a cell-per-line task
table with 序号/重点任务/具体措施和目标/责任单位/时间表; numbered prose items ending in （责任单位：…）; a
four-column duty table with 年度进度要求; a tab-separated table whose leads carry ▲; per-agency duty lists
followed by numbered tasks). Every plan belongs to a real county-level division of the GB/T 2260 table (the
first five to the seed plans' own, so the query library's header examples name agencies that exist), names
real agency abbreviations from the ontology's labels, and carries real-looking deadlines and indicators. The
same `seed` and `scale` give the same bytes.

>>> plans = synthetic_plans(1)
>>> [p.layout for p in plans]
['cell-table', 'numbered-prose', 'duty-table', 'delimited-table', 'duty-list']
>>> plans[0].file_name, plans[0].jurisdiction_code
('s00000-2019-reform-tasks.txt', '331002')
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from dutygraph.loaders.jurisdictions import division_table
from dutygraph.loaders.records import Jurisdiction
from dutygraph.ontology import agency_type_labels

SyntheticLayout = Literal["cell-table", "numbered-prose", "duty-table", "delimited-table", "duty-list"]
LAYOUT_CYCLE: tuple[SyntheticLayout, ...] = (
    "cell-table",
    "numbered-prose",
    "duty-table",
    "delimited-table",
    "duty-list",
)
#: The seed plans' jurisdictions, one per layout of the first cycle (椒江区, 蓟州区, 温州市 → its 鹿城区, 乐清市,
#: 天台县), so the header examples of queries/*.rq (agency/331002/…, agency/330382/…) name real nodes.
SEED_JURISDICTIONS: tuple[str, ...] = ("331002", "120119", "330302", "330382", "331023")
#: The seed plan each plan of the first cycle stands in for (same place, same family of wording).
SEED_PLAN_IDS: tuple[str, ...] = (
    "jiaojiang-2020-reform-tasks",
    "jizhou-2020-supervision-plan",
    "wenzhou-2018-duty-table",
    "yueqing-2022-demo-city-plan",
    "tiantai-2019-work-points",
)
_COUNTY_LEVELS = frozenset({"county", "district", "county-level-city"})
_LEVEL_PREFIX = {"county": "县", "district": "区", "county-level-city": "市"}
_FILE_WORDS: dict[SyntheticLayout, str] = {
    "cell-table": "reform-tasks",
    "numbered-prose": "supervision-plan",
    "duty-table": "duty-table",
    "delimited-table": "demo-city-plan",
    "duty-list": "work-points",
}
_TITLE_WORDS: dict[SyntheticLayout, str] = {
    "cell-table": "食品安全领域改革重点任务清单",
    "numbered-prose": "食品安全监督管理计划",
    "duty-table": "食品安全工作责任分工一览表",
    "delimited-table": "食品安全示范创建工作方案",
    "duty-list": "食品安全工作要点",
}
#: Bureau abbreviations as plans write them after the 区/县/市 prefix; kept only if the ontology knows them.
_BUREAUS = (
    "市场监管局",
    "卫健局",
    "农业农村局",
    "教育局",
    "公安分局",
    "商务局",
    "生态环境分局",
    "综合行政执法局",
    "发改局",
    "财政局",
    "司法局",
    "民政局",
    "文旅局",
    "供销社",
    "林业局",
    "水利局",
    "交通局",
    "粮食中心",
    "经信局",
    "科技局",
)
_GROUPS = ("各乡镇（街道）", "食安委各成员单位")
_THEMES = (
    ("风险监测和标准制定专项行动", "提升食品安全风险监测和食源性疾病监测能力", "风险监测"),
    ("农药兽药使用减量和产地净化行动", "推进化肥农药减量增效，杜绝使用禁用农药兽药", "农药"),
    ("校园食品安全守护行动", "落实校长（园长）负责制、陪餐制，推进“阳光厨房”建设", "校园"),
    ("农村假冒伪劣食品治理行动", "严厉打击农村地区制售“三无”食品、假冒食品、过期食品等违法行为", "农村"),
    ("餐饮质量安全提升行动", "严格食品经营风险分级管理，推动“互联网+明厨亮灶”建设", "餐饮"),
    ("保健食品行业专项清理整治行动", "加大保健食品违法案件查办和曝光力度，打击虚假宣传", "保健食品"),
    ("“优质粮食工程”行动", "加强粮食质量监督检查，杜绝不符合食品安全标准的粮食流入市场", "粮食"),
    ("食品安全监督抽检", "加强食品安全检验经费保障，构建食品抽验靶向监管体系", "抽检"),
)
_INDICATORS = (
    "食品抽检量达到{a}批次/千人以上",
    "食品安全风险监测样本量稳定在每年{b}件/千人",
    "主要食用农产品监测总体合格率达到{p}%以上",
    "学校食堂“阳光厨房”覆盖率达到{p}%以上",
    "农贸市场快检室覆盖率达到100%",
)
_PLAIN_DEADLINES = ("年度日常工作", "长期坚持", "根据上级部署")


@dataclass(frozen=True)
class SyntheticPlan:
    """One generated plan: its file name, the layout it is written in, whose plan it is, its text."""

    file_name: str
    layout: SyntheticLayout
    jurisdiction_code: str
    year: int
    tasks: int
    text: str


@cache
def _county_codes() -> tuple[str, ...]:
    """County-level divisions whose prefix (区/县/市) a plan can write before a bureau's name."""
    return tuple(sorted(j.code for j in division_table() if j.level in _COUNTY_LEVELS))


@cache
def _bureaus() -> tuple[str, ...]:
    known = {label for label, _ in agency_type_labels()}
    return tuple(b for b in _BUREAUS if b in known)


def synthetic_plans(scale: int, *, seed: int = 2020) -> list[SyntheticPlan]:
    """The 5·`scale` plans of the corpus, in order; the same arguments give the same plans.

    >>> len(synthetic_plans(2)), synthetic_plans(2)[5].layout
    (10, 'cell-table')

    :raises ValueError: `scale` is below 1.
    """
    if scale < 1:
        raise ValueError(f"scale must be 1 or more, not {scale}")
    rng = random.Random(seed)
    codes = _county_codes()
    plans: list[SyntheticPlan] = []
    for index in range(5 * scale):
        layout = LAYOUT_CYCLE[index % len(LAYOUT_CYCLE)]
        code = SEED_JURISDICTIONS[index] if index < len(SEED_JURISDICTIONS) else rng.choice(codes)
        plans.append(_plan(index, layout, code, random.Random(rng.getrandbits(64))))
    return plans


def write_corpus(out: Path, *, scale: int, seed: int = 2020) -> list[Path]:
    """Write the corpus into folder `out` (created if needed) and return the files, in order.

    :raises ValueError: `scale` is below 1.
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for plan in synthetic_plans(scale, seed=seed):
        path = out / plan.file_name
        path.write_text(plan.text, encoding="utf-8")
        written.append(path)
    return written


def _plan(index: int, layout: SyntheticLayout, code: str, rng: random.Random) -> SyntheticPlan:
    table = division_table()
    place = table.by_code(code)
    year = rng.randint(2018, 2023)
    tasks = rng.randint(12, 40)
    writer = _Writer(place, year, rng)
    text = {
        "cell-table": writer.cell_table,
        "numbered-prose": writer.numbered_prose,
        "duty-table": writer.duty_table,
        "delimited-table": writer.delimited_table,
        "duty-list": writer.duty_list,
    }[layout](tasks)
    return SyntheticPlan(f"s{index:05d}-{year}-{_FILE_WORDS[layout]}.txt", layout, code, year, tasks, text)


class _Writer:
    """Writes one plan's text for one division: its title, agencies, deadlines and indicators."""

    def __init__(self, place: Jurisdiction, year: int, rng: random.Random) -> None:
        table = division_table()
        parents = table.parents(place)
        city = parents[0].name if parents and parents[0].level != "province" else ""
        self.name = place.name
        self.full_name = f"{city}{place.name}" if not place.name.startswith(city) else place.name
        self.prefix = "市" if place.level == "prefecture-city" else _LEVEL_PREFIX.get(place.level, "区")
        self.year = year
        self.rng = rng

    def title(self, layout: SyntheticLayout) -> str:
        return f"{self.year}年{self.full_name}{_TITLE_WORDS[layout]}"

    def agencies(self) -> tuple[list[str], list[str]]:
        """Leads and assistants of one task, each written with the plan's prefix (区市场监管局)."""
        chosen = self.rng.sample(_bureaus(), k=self.rng.randint(1, 4))
        named = [self.prefix + bureau for bureau in chosen]
        if self.rng.random() < 0.2:
            named.append(self.rng.choice(_GROUPS))
        leads = self.rng.randint(1, min(2, len(named)))
        return named[:leads], named[leads:]

    def deadline(self) -> str:
        pick = self.rng.random()
        if pick < 0.35:
            return f"{self.year}年底前完成"
        if pick < 0.6:
            return f"{self.rng.randint(3, 11)}月前"
        if pick < 0.75:
            return f"{self.year + 1}年6月底前"
        return self.rng.choice(_PLAIN_DEADLINES)

    def measure(self) -> tuple[str, str, str]:
        """Section, title and measure text of one task, the text with an indicator half the time."""
        section, action, _ = self.rng.choice(_THEMES)
        text = f"{action}。"
        if self.rng.random() < 0.5:
            indicator = self.rng.choice(_INDICATORS).format(
                a=self.rng.choice(("4", "4.5", "5")),
                b=self.rng.choice(("1", "1.5", "2")),
                p=self.rng.randint(90, 99),
            )
            text += f"到{self.year}年底，{indicator}。"
        return section, action, text

    def cell_table(self, tasks: int) -> str:
        lines = ["附件", self.title("cell-table"), ""]
        lines += ["\t序号", "\t项目", "\t重点任务清单", "\t具体措施和目标", "\t责任单位", "\t时间表", ""]
        previous = ""
        for number in range(1, tasks + 1):
            section, action, text = self.measure()
            leads, assists = self.agencies()
            lead_words = f"{'、'.join(leads)}牵头，{'、'.join(assists)}" if assists else "、".join(leads)
            units = f"{lead_words}按职责分工负责"
            shown = "" if section == previous else section
            previous = section
            lines += [
                f"\t{number}",
                f"\t{shown}",
                f"\t{action}。",
                f"\t{text}",
                f"\t{units}",
                f"\t{self.deadline()}",
                "",
            ]
        return "\n".join(lines) + "\n"

    def numbered_prose(self, tasks: int) -> str:
        lines = [self.title("numbered-prose"), "", "一、年度重点工作任务"]
        for number in range(1, tasks + 1):
            section, _, text = self.measure()
            leads, assists = self.agencies()
            lines.append(
                f"{number}．实施{section}。{text}{self.deadline()}。（责任单位：{'、'.join(leads + assists)}）"
            )
        return "\n".join(lines) + "\n"

    def duty_table(self, tasks: int) -> str:
        lines = ["附件", "", self.title("duty-table"), ""]
        lines += ["\t序号", "\t重点工作", "\t年度进度要求", "\t责任单位", ""]
        for number in range(1, tasks + 1):
            section, _, text = self.measure()
            leads, assists = self.agencies()
            when = self.rng.choice((f"{self.rng.randint(3, 11)}月前", "年底前", "全年"))
            lines += [
                f"\t{number}",
                f"\t深化{section}",
                f"\t{when}{text}",
                f"\t{'、'.join(leads + assists)}",
                "",
            ]
        return "\n".join(lines) + "\n"

    def delimited_table(self, tasks: int) -> str:
        lines = [
            self.title("delimited-table"),
            "",
            "附件",
            "",
            f"{self.full_name}食品安全示范创建重点任务分解表",
            "",
        ]
        lines.append("序号\t重点任务\t具体举措\t责任单位")
        previous = ""
        for number in range(1, tasks + 1):
            section, _, text = self.measure()
            leads, assists = self.agencies()
            shown = "" if section == previous else f"开展{section}"
            previous = section
            units = "、".join([f"▲{lead}" for lead in leads] + assists)
            lines.append(f"{number}\t{shown}\t{text}\t{units}")
        return "\n".join(lines) + "\n"

    def duty_list(self, tasks: int) -> str:
        lines = [self.title("duty-list"), "", "一、成员单位职责分工"]
        chosen = self.rng.sample(_bureaus(), k=min(6, len(_bureaus())))
        numerals = "一二三四五六七八九十"
        for number, bureau in enumerate(chosen):
            lines += [
                f"（{numerals[number]}）{self.prefix}{bureau}",
                "负责本行业领域食品安全监督管理工作；配合有关部门开展食品安全专项整治行动。",
            ]
        lines.append("除上述职责外，各成员单位在职责范围内应及时向有关部门通报食品安全相关信息。")
        lines.append("二、年度重点工作任务")
        for number in range(1, tasks + 1):
            _, action, text = self.measure()
            leads, assists = self.agencies()
            lines.append(f"{number}．{action}。{text}（责任单位：{'、'.join(leads + assists)}）")
        return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python bench/corpus.py --scale N --out DIR [--seed S]``: write the corpus and say where."""
    import argparse

    parser = argparse.ArgumentParser(description="write a synthetic corpus of 5·N plan files")
    parser.add_argument("--scale", type=int, required=True, help="N: the corpus is N × the seed corpus")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the plan files into")
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    files = write_corpus(args.out, scale=args.scale, seed=args.seed)
    print(f"{len(files)} plans written to {args.out}")
    return 0
