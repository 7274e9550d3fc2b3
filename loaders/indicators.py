"""Quantitative targets (抽检量达到4.5批次/千人以上) parsed into metric, comparator, value and unit.

Rules, by wording family:
- comparator from the words around the value: 以上/不低于/达到/至少/超过 → ``>=``; 以内/以下/不超过/控制在 → ``<=``;
  稳定在 with no 以上 → ``=``; 下降/减少/再减 → ``reduce-by``; 增长/增加 N → ``increase-by``; a bare target → ``>=``;
- only counted units make a target (%, 批次, 家, 个, 批次/千人 …): ``17种食用农产品`` or ``100米内`` do not;
- one value shared by several rates (立案率和办结率达到100%) is one target per rate; several values (100%、90%)
  are one target each; ``三个100%`` is three.
"""

from __future__ import annotations

import datetime as dt
import re

from dutygraph.loaders.punctuation import normalise, split_outside_brackets
from dutygraph.loaders.records import Comparator, Indicator

_UNITS = (
    "批次/千人",
    "件/千人口",
    "件/千人",
    "份/千人",
    "批/千人",
    "公斤/亩",
    "个（条）",
    "%",
    "批次",
    "学时",
    "小时",
    "万亩",
    "万元",
    "人次",
    "亩",
    "吨",
    "家",
    "个",
    "次",
    "分",
    "件",
    "份",
    "所",
    "项",
    "户",
    "场",
    "条",
    "元",
    "人",
)
_UNIT_ALT = "|".join(re.escape(u) for u in _UNITS)
_VALUE = re.compile(rf"(?<![\dA-Za-z./第])(?P<num>\d+(?:\.\d+)?)(?P<unit>{_UNIT_ALT})(?!/)")
_CN_COUNT = re.compile(r"(至少|不少于)(开展|组织|举办|进行)?(?P<num>[一两二三四五六七八九十])(?P<unit>次)")
_CN_DIGITS = {
    "一": 1,
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_N_TIMES = re.compile(r"(?P<n>[两二三四五六七八九十])个$")
_MASK = re.compile(r"《[^》]*》|（\d{4}[-—–~～至]\d{4}年?）|[A-Za-z]+\d+")
_CLAUSE_END = "，；。："

_AFTER_GE = re.compile(r"^(及以上|以上|或以上)")
_AFTER_LE = re.compile(r"^(以内|以下|之内)")
_BEFORE_REDUCE = re.compile(r"(下降|减少|再减|降低|压减|削减)了?(到)?$")
_BEFORE_INCREASE = re.compile(r"(增长|增加|提高|提升)了?$")
_GE_WORDS = re.compile(r"不低于|不少于|不小于|至少|超过|高于|以上")
_LE_WORDS = re.compile(r"不超过|不高于|不大于|控制在|低于|少于")
_EQ_WORDS = re.compile(r"稳定在|保持在|维持在")
_TRAILING_VERBS = re.compile(
    r"(均|都|分别|要|应|须|必须|确保|力争|争取|全面|基本|稳定在|保持在|维持在|控制在|提高到|提升到|增加到|降低到|"
    r"达到|达|不低于|不少于|不超过|不高于|超过|高于|低于|至少|实现|每年|每人每年|的)+$"
)


def _masked(text: str) -> str:
    return _MASK.sub(lambda m: "\u0000" * len(m.group()), text)


def _clause_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in _CLAUSE_END:
        i -= 1
    return i


def _comparator(prefix: str, after: str, unit: str) -> Comparator:
    tight = prefix[-6:]
    if _BEFORE_REDUCE.search(tight):
        return "reduce-by"
    # 增长10% is against a base; 新增1家 or 改造提升102个 is a count to reach.
    if unit == "%" and _BEFORE_INCREASE.search(tight):
        return "increase-by"
    if _AFTER_GE.match(after):
        return ">="
    if _AFTER_LE.match(after):
        return "<="
    if _GE_WORDS.search(tight):
        return ">="
    if _LE_WORDS.search(prefix):
        return "<="
    if _EQ_WORDS.search(prefix):
        return "="
    return ">="


def _metric(prefix: str) -> str:
    """The words naming what is measured, without the verbs that set the target."""
    metric = _TRAILING_VERBS.sub("", prefix.strip())
    metric = re.sub(r"^[（(]?(并|且|和|及|其中|同时|确保|力争|争取|推动|实现|全年|年)?", "", metric)
    return metric.strip("、 ") or prefix.strip()


def _rates(metric: str) -> list[str]:
    """Several rates sharing one value: 立案率和办结率 → [立案率, 办结率]; 资源化利用和无害化处理率 stays one."""
    parts: list[str] = []
    for piece in split_outside_brackets(metric, "、"):
        sides = re.split(r"和|及|与", piece)
        if len(sides) > 1 and all(s.endswith("率") for s in sides):
            parts.extend(sides)
        else:
            parts.append(piece)
    rates = [p for p in parts if p.endswith("率")]
    return rates if len(rates) > 1 and len(rates) == len(parts) else [metric]


def find_indicators(text: str, *, deadline_of: dt.date | None = None) -> tuple[Indicator, ...]:
    """Every quantitative target in a task's text.

    >>> [(i.metric, i.comparator, i.value, i.unit) for i in find_indicators("食品抽检量达到4.5批次/千人以上")]
    [('食品抽检量', '>=', 4.5, '批次/千人')]
    >>> [(i.comparator, i.value, i.unit) for i in find_indicators("单位农作物播种面积农药施用强度（折百量）控制在0.17公斤/亩以内")]
    [('<=', 0.17, '公斤/亩')]
    >>> [(i.comparator, i.value) for i in find_indicators("化学农药使用量比2017年减少2%以上")]
    [('reduce-by', 2.0)]
    >>> [i.metric for i in find_indicators("食品安全违法案件立案率和办结率达到 100%")]
    ['食品安全违法案件立案率', '办结率']
    >>> [i.value for i in find_indicators("确保区级食品安全风险监测设备配置率达到100%、90%")]
    [100.0, 90.0]
    >>> [(i.comparator, i.value, i.unit) for i in find_indicators("食品安全风险监测样本量稳定在每年1件/千人")]
    [('=', 1.0, '件/千人')]
    >>> find_indicators("聚焦问题较为突出的17种食用农产品，确保校园周边100米内无流动摊贩")
    ()
    """
    norm = normalise(text)
    masked = _masked(norm)
    found: list[Indicator] = []
    matches = list(_VALUE.finditer(masked)) + list(_CN_COUNT.finditer(masked))
    matches.sort(key=lambda m: m.start("num"))
    previous_end = -1
    previous_metrics: list[str] = []
    for match in matches:
        start, end = match.start("num"), match.end("unit")
        raw_num = match["num"]
        value = float(_CN_DIGITS[raw_num]) if raw_num in _CN_DIGITS else float(raw_num)
        unit = match["unit"].replace("千人口", "千人")
        clause_start = max(_clause_start(masked, start), previous_end if previous_end >= 0 else 0)
        prefix = masked[clause_start:start]
        after = masked[end : end + 4]
        if unit in ("件", "批次", "份") and "每千人" in masked[_clause_start(masked, start) : start]:
            unit = f"{unit}/千人"
        joined_to_previous = previous_end >= 0 and masked[previous_end:start] in ("、", "和", "，")
        if joined_to_previous and previous_metrics and masked[previous_end:start] == "、":
            metrics = previous_metrics[:1]
        else:
            times = _N_TIMES.search(prefix)
            metric = _metric(prefix[: times.start()] if times else prefix)
            metrics = [metric] * _CN_DIGITS[times["n"]] if times else _rates(metric)
        tail = _AFTER_GE.match(after) or _AFTER_LE.match(after)
        as_written = norm[clause_start : end + (tail.end() if tail else 0)]
        comparator = _comparator(prefix, after, unit)
        for metric in metrics:
            found.append(Indicator(as_written, metric, comparator, value, unit, deadline_of))
        previous_end = end + (tail.end() if tail else 0)
        previous_metrics = metrics
    return tuple(found)
