"""Everything the pages for policy staff show, as small frozen records: the server only renders them.

Each page has one function here — `plan_cards` (home), `search_agencies` (search), `agency_page`, `task_page`,
`plan_page`. They shape what `kg/` already answers: `agency_search.find_agencies`, the staff views of
`plan_views` (plans, a plan's matrix, milestones and targets, a task's agencies, an agency's tasks explained by
`explain`), and four named queries for what those leave out (``agency-details``, ``plan-details``: year, date
and 文号, ``task-details``: the full text and the file's digest, ``task-deadlines``: each deadline's kind). No
text here is ever marked safe: the templates escape everything a plan wrote.

Page addresses mirror the IRIs (`page_path`): …/id/agency/331002/agriculture is /agency/331002/agriculture.

>>> from dutygraph.kg.build import build
>>> from dutygraph.kg.stores import open_store
>>> from dutygraph.loaders.bundled import bundled_plans
>>> with open_store("memory") as store:
...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("jiaojiang")])
...     page = agency_page(store, code="331002", local="market-regulation")
>>> page.label, page.type_label, page.jurisdiction_name
('台州市椒江区市场监督管理局', '市场监督管理局', '台州市椒江区')
>>> [row.task_key for row in page.role_group("lead").rows][:2]
['jiaojiang-2020-07', 'jiaojiang-2020-24']
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError, PlanError
from dutygraph.kg.agency_search import AgencyCandidate, find_agencies
from dutygraph.kg.explain import Source, explain
from dutygraph.kg.iris import ID, agency_iri, group_iri, plan_iri, task_iri
from dutygraph.kg.plan_views import (
    PlanIndicator,
    PlanMatrix,
    PlanNotFound,
    PlanSummary,
    TaskNotFound,
    explained_tasks,
    list_plans,
    plan_indicators,
    plan_matrix,
    task_agencies,
)
from dutygraph.kg.query_library import run_named
from dutygraph.kg.stores import GraphStore, QueryResult
from dutygraph.loaders.bundled import bundled_plans
from dutygraph.loaders.reading import PlanText, read_plan
from dutygraph.ontology import agency_type_names

__all__ = [
    "ROLES",
    "AgencyLink",
    "AgencyPage",
    "DeadlineItem",
    "IndicatorItem",
    "MatrixCell",
    "MatrixColumn",
    "MatrixRow",
    "MilestoneItem",
    "MonthCount",
    "PageNotFound",
    "PlanCard",
    "PlanPage",
    "RoleCount",
    "RoleGroup",
    "RoleName",
    "SourceLine",
    "TaskAgencyRow",
    "TaskPage",
    "TaskRow",
    "agency_page",
    "page_path",
    "plan_cards",
    "plan_page",
    "search_agencies",
    "task_page",
]


class PageNotFound(DutygraphError):
    """The store holds no agency, group, task or plan at the address asked for."""


@dataclass(frozen=True)
class RoleName:
    """A role as pages name it: key (as `tasks_of` gives it), Chinese, English, and its mark in a matrix."""

    key: str
    zh: str
    en: str
    mark: str


#: The roles in the order pages show them. ``involved`` is an involvement reasoning implies with no role.
ROLES: tuple[RoleName, ...] = (
    RoleName("lead", "牵头", "lead", "▲"),
    RoleName("assist", "配合", "assist", "○"),
    RoleName("responsible", "共同负责", "responsible", "●"),
    RoleName("involved", "推定参与", "inferred", "△"),
)
_ROLE_BY_KEY = {role.key: role for role in ROLES}
_ROLE_ORDER = {role.key: index for index, role in enumerate(ROLES)}
_COMPARATORS = {">=": "≥", "<=": "≤", "=": "=", "reduce-by": "降低", "increase-by": "提高"}


def _role(key: str) -> RoleName:
    return _ROLE_BY_KEY.get(key, _ROLE_BY_KEY["involved"])


# The kinds of entity that have a page, as the path under …/id/ (agency and group: code + type; task under plan).
_PAGE_LOCAL = re.compile(r"^(?:(?:agency|group)/[^/]+/[^/]+|plan/[^/]+(?:/task/[^/]+)?)$")


def page_path(iri: str) -> str | None:
    """The page of an agency, group, plan or task IRI (its path under …/id/), or None for anything else.

    >>> page_path("https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/task/18b")
    '/plan/jiaojiang-2020-reform-tasks/task/18b'
    >>> page_path("https://w3id.org/dutygraph/id/agency/331002/agriculture")
    '/agency/331002/agriculture'
    >>> page_path("https://w3id.org/dutygraph/id/jurisdiction/331002") is None
    True
    """
    if not iri.startswith(ID):
        return None
    local = iri[len(ID) :]
    return "/" + local if _PAGE_LOCAL.match(local) else None


def _text(term: Identifier | None) -> str:
    return str(term) if isinstance(term, Literal | URIRef) else ""


def _optional(term: Identifier | None) -> str | None:
    return str(term) if isinstance(term, Literal | URIRef) else None


def _int(term: Identifier | None) -> int | None:
    try:
        return int(str(term)) if isinstance(term, Literal) else None
    except ValueError:
        return None


def _rows(result: QueryResult) -> Iterator[dict[str, Identifier | None]]:
    for row in result.rows:
        yield dict(zip(result.variables, row, strict=True))


def _chain(explanation: str | None) -> tuple[str, ...]:
    """The chain of an explanation's text: its first two lines restate the conclusion and the task, which the
    page shows already."""
    return tuple((explanation or "").splitlines()[2:])


def _why(store: GraphStore, *, task: URIRef, agency: URIRef) -> tuple[str, ...]:
    """Why reasoning implies the agency for the task, one line per step (`explain`)."""
    try:
        return _chain(explain(store, task=task, agency=agency).text())
    except DutygraphError as error:  # NotInvolved, or a task gone: say so rather than fail the page
        return (str(error),)


def _where(sources: tuple[Source, ...]) -> str:
    return "；".join(source.where() for source in sources if source.line_start is not None)


# --- home ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanCard:
    """A plan as pages link to it."""

    plan: PlanSummary

    @property
    def path(self) -> str:
        return page_path(str(self.plan.iri)) or "/"


def plan_cards(store: GraphStore) -> tuple[PlanCard, ...]:
    """The plans the store holds (`plan_views.list_plans`), each with its page.

    >>> from dutygraph.kg.build import build
    >>> from dutygraph.kg.stores import open_store
    >>> from dutygraph.loaders.bundled import bundled_plans
    >>> with open_store("memory") as store:
    ...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("wenzhou")], reasoning="none")
    ...     cards = plan_cards(store)
    >>> [(c.path, c.plan.jurisdiction_name, c.plan.task_count) for c in cards]
    [('/plan/wenzhou-2018-duty-table', '温州市', 32)]

    :raises StoreError: the store cannot be read.
    """
    return tuple(PlanCard(plan) for plan in list_plans(store))


# --- search -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyLink:
    """An agency (or group) as a search result: enough to choose it, and its page."""

    iri: URIRef
    label: str
    type_label: str
    jurisdiction_name: str
    path: str


def search_agencies(
    store: GraphStore, name: str, *, jurisdiction: str | None = None
) -> tuple[AgencyLink, ...]:
    """The agencies a name typed by a user may mean (`agency_search.find_agencies`), each with its page.

    >>> from dutygraph.kg.build import build
    >>> from dutygraph.kg.stores import open_store
    >>> from dutygraph.loaders.bundled import bundled_plans
    >>> plans = [p for p in bundled_plans() if p.stem.startswith(("jiaojiang", "yueqing"))]
    >>> with open_store("memory") as store:
    ...     _ = build(store, plans, reasoning="none")
    ...     [hit.path for hit in search_agencies(store, "区农水局")]
    ...     [hit.jurisdiction_name for hit in search_agencies(store, "市场监管局")]
    ...     len(search_agencies(store, "市场监管局", jurisdiction="乐清"))
    ['/agency/331002/agriculture']
    ['乐清市', '台州市椒江区']
    1

    :raises DutygraphError: `jurisdiction` names no known place.
    """
    return tuple(
        AgencyLink(
            iri=candidate.iri,
            label=candidate.label,
            type_label=agency_type_names().get(candidate.type_key, candidate.type_key),
            jurisdiction_name=candidate.jurisdiction_name,
            path=page_path(str(candidate.iri)) or "/",
        )
        for candidate in find_agencies(store, name, jurisdiction=jurisdiction)
    )


# --- agency page --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    """One task on an agency's page: `where` the plan assigns the role (asserted rows) or, for an inferred row,
    `why` — the explanation, one line per step."""

    task: URIRef
    task_key: str
    path: str
    title: str
    plan_title: str
    plan_path: str
    role: RoleName
    asserted: bool
    deadlines: str
    dates: tuple[str, ...]
    where: str = ""
    why: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleGroup:
    """The tasks of one role, by first due date (undated last)."""

    role: RoleName
    rows: tuple[TaskRow, ...]

    @property
    def testid(self) -> str:
        return "role-inferred" if self.role.key == "involved" else f"role-{self.role.key}"


@dataclass(frozen=True)
class MonthCount:
    month: str  # YYYY-MM
    count: int


@dataclass(frozen=True)
class AgencyPage:
    """An agency or group, its tasks by role, and its deadlines counted by month."""

    iri: URIRef
    label: str
    group: bool
    type_key: str
    type_label: str
    jurisdiction_code: str
    jurisdiction_name: str
    written_forms: tuple[str, ...]
    role_groups: tuple[RoleGroup, ...]
    months: tuple[MonthCount, ...]

    def role_group(self, key: str) -> RoleGroup:
        """The group of role `key` (``lead``, ``assist``, ``responsible``, ``involved``).

        :raises KeyError: no such role.
        """
        for group in self.role_groups:
            if group.role.key == key:
                return group
        raise KeyError(key)

    @property
    def task_count(self) -> int:
        return len({row.task for group in self.role_groups for row in group.rows})

    @property
    def network_path(self) -> str:
        return "/network?" + urlencode({"agency": str(self.iri), "hops": 1})

    @property
    def json_path(self) -> str | None:
        """The staff API's list of the agency's tasks (agencies only: the API has no address for groups)."""
        if self.group:
            return None
        return "/api/agencies/" + str(self.iri)[len(ID) :].removeprefix("agency/") + "/tasks"

    def chart_data(self) -> dict[str, list[Any]]:
        """What the deadline chart draws: months and counts (the template passes it through ``tojson``)."""
        return {"labels": [m.month for m in self.months], "counts": [m.count for m in self.months]}


def _agency(store: GraphStore, iri: URIRef) -> tuple[AgencyCandidate, str] | None:
    """The agency (as `agency_search` describes one) and the name of its jurisdiction, or None."""
    rows = list(_rows(run_named(store, "agency-details", bindings={"agency": iri})))
    if not rows:
        return None
    first = rows[0]
    written = sorted({_text(row.get("written")) for row in rows} - {""})
    candidate = AgencyCandidate(
        iri=iri,
        label=_text(first.get("label")),
        type_key=next((_text(r.get("typeKey")) for r in rows if r.get("typeKey") is not None), ""),
        jurisdiction_code=_text(first.get("jurisdictionCode")),
        written_forms=tuple(written),
    )
    return candidate, _text(first.get("jurisdictionName")) or candidate.jurisdiction_code


def agency_page(store: GraphStore, *, code: str, local: str, group: bool = False) -> AgencyPage:
    """The page of the agency (or, with `group`, the group) ``…/id/agency/{code}/{local}``.

    Tasks come from `plan_views.explained_tasks` (asserted and inferred, by first due date), grouped by role;
    an inferred task carries why. The month counts count each dated deadline of each task once.

    :raises PageNotFound: the store holds no such agency or group.
    :raises StoreError: the store cannot be read.
    """
    iri = group_iri(code, local) if group else agency_iri(code, local)
    found = _agency(store, iri)
    if found is None:
        raise PageNotFound(f"没有这个单位 / no agency is {iri}")
    candidate, jurisdiction_name = found
    plans = {card.plan.iri: card for card in plan_cards(store)}
    rows = []
    for explained in explained_tasks(store, candidate):
        row, card = explained.row, plans.get(explained.row.plan)
        asserted = row.source == "asserted"
        rows.append(
            TaskRow(
                task=row.task,
                task_key=row.task_key,
                path=page_path(str(row.task)) or "/",
                title=row.title,
                plan_title=card.plan.title if card else explained.plan_id,
                plan_path=card.path if card else "/",
                role=_role(row.role),
                asserted=asserted,
                deadlines=row.deadlines,
                dates=row.dates,
                where=_where(explained.sources) if asserted else "",
                why=() if asserted else _chain(explained.explanation),
            )
        )
    dated = {(row.task, date) for row in rows for date in row.dates}
    months = Counter(date[:7] for _, date in dated)
    return AgencyPage(
        iri=iri,
        label=candidate.label,
        group=group,
        type_key=candidate.type_key,
        type_label=agency_type_names().get(candidate.type_key, candidate.type_key),
        jurisdiction_code=candidate.jurisdiction_code,
        jurisdiction_name=jurisdiction_name,
        written_forms=tuple(f for f in candidate.written_forms if f != candidate.label),
        role_groups=tuple(RoleGroup(role, tuple(r for r in rows if r.role == role)) for role in ROLES),
        months=tuple(MonthCount(month, count) for month, count in sorted(months.items())),
    )


# --- task page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskAgencyRow:
    """One agency of a task: its role, whether the plan writes it (and how) or reasoning implies it (and why)."""

    iri: URIRef
    label: str
    path: str | None
    role: RoleName
    asserted: bool
    as_written: str | None = None
    why: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineItem:
    as_written: str
    kind: str  # the kind's Chinese name (限期完成, 常态化, …)
    date: str | None  # ISO date


@dataclass(frozen=True)
class IndicatorItem:
    """A quantified target; `task_key` and `task_path` are None for a plan-wide target."""

    as_written: str
    metric: str
    target: str  # ≥ 4.5 批次/千人
    target_date: str | None
    task: URIRef | None
    task_key: str | None
    task_path: str | None


def _indicator_item(indicator: PlanIndicator) -> IndicatorItem:
    """
    >>> from decimal import Decimal
    >>> found = PlanIndicator(URIRef("https://w3id.org/dutygraph/id/plan/p/indicator/07/1"), "p", "食品抽检量",
    ...                       ">=", Decimal("4.5"), "批次/千人", None, "抽检量达到4.5批次/千人以上", None, None)
    >>> _indicator_item(found).target
    '≥ 4.5 批次/千人'
    """
    value = "" if indicator.value is None else format(indicator.value, "f")
    target = f"{_COMPARATORS.get(indicator.comparator, indicator.comparator)} {value} {indicator.unit}"
    return IndicatorItem(
        as_written=indicator.as_written,
        metric=indicator.metric,
        target=" ".join(target.split()),
        target_date=indicator.target_date.isoformat() if indicator.target_date else None,
        task=indicator.task,
        task_key=indicator.task_key,
        task_path=page_path(str(indicator.task)) if indicator.task is not None else None,
    )


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str


@dataclass(frozen=True)
class TaskPage:
    """A task as the plan writes it, its agencies, deadlines, indicators and the plan lines it came from.

    `source_lines` is empty when the plan file is not one of the bundled plans; `source_note` then says so.
    """

    iri: URIRef
    key: str
    number: str | None
    section: str | None
    title: str
    text: str
    plan: PlanCard
    source_file: str
    line_start: int | None
    line_end: int | None
    agencies: tuple[TaskAgencyRow, ...]
    deadlines: tuple[DeadlineItem, ...]
    indicators: tuple[IndicatorItem, ...]
    source_lines: tuple[SourceLine, ...]
    source_note: str

    @property
    def lines(self) -> str:
        """The line range as pages write it: 第 138–143 行."""
        if self.line_start is None:
            return ""
        if self.line_end is None or self.line_end == self.line_start:
            return f"第 {self.line_start} 行"
        return f"第 {self.line_start}–{self.line_end} 行"


@functools.cache
def _bundled_text(name: str) -> PlanText | None:
    """A bundled plan file's text by file name (the bundled files do not change while the server runs)."""
    for path in bundled_plans():
        if path.name == name:
            try:
                return read_plan(path)
            except PlanError:
                return None
    return None


def _source_lines(
    source_file: str, sha256: str, first: int | None, last: int | None
) -> tuple[tuple[SourceLine, ...], str]:
    if first is None:
        return (), "这项任务没有记录原文行号。 No plan lines are recorded for this task."
    text = _bundled_text(source_file)
    if text is None:
        return (), (
            f"原文文件 {source_file} 不是随附的方案，请查阅该文件。 The plan file {source_file} is not one of "
            "the bundled plans: see the file itself."
        )
    if sha256 and text.sha256 != sha256:
        return (), (
            f"随附的 {source_file} 与建图时读取的文件不同，故不显示原文。 The bundled {source_file} differs from "
            "the file the graph was built from."
        )
    end = last if last is not None else first
    shown = tuple(
        SourceLine(n, text.lines[n - 1]) for n in range(first, end + 1) if 1 <= n <= len(text.lines)
    )
    return shown, ""


def task_page(store: GraphStore, *, plan_id: str, key_part: str) -> TaskPage:
    """The page of task ``…/id/plan/{plan_id}/task/{key_part}``.

    >>> from dutygraph.kg.build import build
    >>> from dutygraph.kg.stores import open_store
    >>> from dutygraph.loaders.bundled import bundled_plans
    >>> with open_store("memory") as store:
    ...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("jiaojiang")], reasoning="none")
    ...     page = task_page(store, plan_id="jiaojiang-2020-reform-tasks", key_part="18b")
    >>> page.key, page.lines, [a.as_written for a in page.agencies]
    ('jiaojiang-2020-18b', '第 138–143 行', ['区市场监管局', '区教育局'])
    >>> page.source_lines[0].number, page.deadlines[0].as_written, page.deadlines[0].kind
    (138, '2025年底前完成', '限期完成')

    :raises PageNotFound: the store holds no such task.
    :raises StoreError: the store cannot be read.
    """
    task = task_iri(plan_id, key_part)
    details = next(_rows(run_named(store, "task-details", bindings={"task": task})), None)
    if details is None:
        raise PageNotFound(f"没有这项任务 / no task is {task}")
    try:
        found = task_agencies(store, plan_id, key_part)
    except TaskNotFound as missing:
        raise PageNotFound(str(missing)) from None
    agencies = tuple(
        TaskAgencyRow(
            iri=agency.iri,
            label=agency.label,
            path=page_path(str(agency.iri)),
            role=_role(agency.role),
            asserted=agency.source == "asserted",
            as_written=agency.as_written,
            why=() if agency.source == "asserted" else _why(store, task=task, agency=agency.iri),
        )
        for agency in found.agencies
    )
    plan = details.get("plan")
    plan_term = plan if isinstance(plan, URIRef) else plan_iri(plan_id)
    card = next((c for c in plan_cards(store) if c.plan.iri == plan_term), None)
    if card is None:
        raise PageNotFound(f"没有这个方案 / no plan is {plan_term}")
    source_file = _text(details.get("sourceFile"))
    first, last = _int(details.get("lineStart")), _int(details.get("lineEnd"))
    source_lines, note = _source_lines(source_file, _text(details.get("sha256")), first, last)
    deadlines = tuple(
        DeadlineItem(_text(v.get("asWritten")), _text(v.get("kindName")), _optional(v.get("date")))
        for v in _rows(run_named(store, "task-deadlines", bindings={"task": task}))
    )
    indicators = tuple(_indicator_item(i) for i in plan_indicators(store, card.plan.plan_id))
    return TaskPage(
        iri=task,
        key=_text(details.get("taskKey")),
        number=_optional(details.get("number")),
        section=_optional(details.get("section")),
        title=_text(details.get("title")),
        text=_text(details.get("text")),
        plan=card,
        source_file=source_file,
        line_start=first,
        line_end=last,
        agencies=agencies,
        deadlines=deadlines,
        indicators=tuple(i for i in indicators if i.task == task),
        source_lines=source_lines,
        source_note=note,
    )


# --- plan page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixColumn:
    iri: URIRef
    label: str
    path: str | None


@dataclass(frozen=True)
class MatrixCell:
    """What one agency does on one task: the marks of its roles (▲ ○ ●, △ for an implied involvement)."""

    marks: str = ""
    inferred: bool = False
    title: str = ""


@dataclass(frozen=True)
class MatrixRow:
    """One task of the matrix, with one cell per column."""

    task: URIRef
    task_key: str
    path: str
    title: str
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class RoleCount:
    """How many of the plan's tasks an agency leads, assists, shares, or is implied in."""

    agency: URIRef
    label: str
    lead: int
    assist: int
    responsible: int
    involved: int


@dataclass(frozen=True)
class MilestoneItem:
    name: str
    text: str
    start: str | None
    end: str | None


@dataclass(frozen=True)
class PlanPage:
    """A plan: what it is, its task × agency matrix, milestones, indicators, and role counts per agency.

    With `inferred`, the matrix and counts add what reasoning implies (marked), else only what the plan writes.
    """

    plan: PlanCard
    issued: str | None
    doc_number: str | None
    inferred: bool
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRow, ...]
    role_counts: tuple[RoleCount, ...]
    milestones: tuple[MilestoneItem, ...]
    indicators: tuple[IndicatorItem, ...]

    @property
    def matrix_csv_path(self) -> str:
        return f"/api/plans/{self.plan.path.removeprefix('/plan/')}/matrix?format=csv"

    @property
    def matrix_xlsx_path(self) -> str:
        return f"/api/plans/{self.plan.path.removeprefix('/plan/')}/matrix?format=xlsx"

    def chart_data(self) -> dict[str, list[Any]]:
        """What the role chart draws: agencies, and per role its name and counts, leaving out roles no agency
        holds here (the template passes it to the script through ``tojson``)."""
        counts = self.role_counts
        series = [
            {
                "key": role.key,
                "label": f"{role.zh} {role.en}",
                "values": [getattr(c, role.key) for c in counts],
            }
            for role in ROLES
        ]
        return {"labels": [c.label for c in counts], "series": [s for s in series if any(s["values"])]}


def _cell(matrix: PlanMatrix, task: URIRef, agency: URIRef) -> MatrixCell:
    """The cell of one agency on one task; an implied involvement with no role shows only when nothing else does."""
    held = matrix.cells_at(task, agency)
    if not held:
        return MatrixCell()
    roles = {cell.role for cell in held}
    shown = sorted(roles - {"involved"} or roles, key=lambda key: _ROLE_ORDER.get(key, len(ROLES)))
    inferred = all(cell.source == "inferred" for cell in held)
    title = "、".join(_role(key).zh for key in shown) + ("（推定 inferred）" if inferred else "")
    return MatrixCell("".join(_role(key).mark for key in shown), inferred, title)


def plan_page(store: GraphStore, *, plan_id: str, inferred: bool = False) -> PlanPage:
    """The page of plan ``…/id/plan/{plan_id}``: `plan_views.plan_matrix` (by default only what the plan writes)
    with the plan's date of issue and 文号.

    >>> from dutygraph.kg.build import build
    >>> from dutygraph.kg.stores import open_store
    >>> from dutygraph.loaders.bundled import bundled_plans
    >>> with open_store("memory") as store:
    ...     _ = build(store, [p for p in bundled_plans() if p.stem.startswith("yueqing")], reasoning="none")
    ...     page = plan_page(store, plan_id="yueqing-2022-demo-city-plan")
    >>> page.doc_number, [m.name for m in page.milestones][:2]
    ('乐政办发〔2022〕33号', ['启动阶段', '实施阶段'])

    :raises PageNotFound: the store holds no such plan.
    :raises StoreError: the store cannot be read.
    """
    try:
        matrix = plan_matrix(store, plan_id, inferred=inferred)
    except PlanNotFound as missing:
        raise PageNotFound(str(missing)) from None
    details = next(_rows(run_named(store, "plan-details", bindings={"plan": matrix.plan.iri})), {})
    columns = tuple(MatrixColumn(a.iri, a.label, page_path(str(a.iri))) for a in matrix.agencies)
    rows = tuple(
        MatrixRow(
            task=task.iri,
            task_key=task.key,
            path=page_path(str(task.iri)) or "/",
            title=task.title,
            cells=tuple(_cell(matrix, task.iri, column.iri) for column in columns),
        )
        for task in matrix.tasks
    )
    return PlanPage(
        plan=PlanCard(matrix.plan),
        issued=_optional(details.get("issued")),
        doc_number=_optional(details.get("docNumber")),
        inferred=inferred,
        columns=columns,
        rows=rows,
        role_counts=tuple(
            RoleCount(a.iri, a.label, a.leads, a.assists, a.responsible, a.involved) for a in matrix.agencies
        ),
        milestones=tuple(
            MilestoneItem(
                name=m.name,
                text=m.text,
                start=m.start.isoformat() if m.start else None,
                end=m.end.isoformat() if m.end else None,
            )
            for m in matrix.milestones
        ),
        indicators=tuple(_indicator_item(i) for i in matrix.indicators),
    )
