"""What the plans say, shaped for staff: the plans, one plan's agency × task matrix, a task's agencies, the tasks
due in a period, the targets by metric, and an agency's tasks with where each is written and why.

Every answer comes from a named query of the library (``plans``, ``plan-tasks``, ``plan-matrix``,
``plan-milestones``, ``plan-indicators``, ``task-agencies``, ``agency-assignments``, ``deadlines-between``,
``indicators-by-metric``, ``agency-tasks``) and is returned as small frozen records; the API and the pages
shape them, they do not query. An inferred row is explained by `dutygraph.kg.explain`, and only inferred rows:
what a plan asserts carries its own lines.

>>> from dutygraph.kg.iris import agency_iri
>>> matrix = plan_matrix(_example_store(), "jiaojiang-2020-reform-tasks")
>>> market = agency_iri("331002", "market-regulation")
>>> task = task_iri("jiaojiang-2020-reform-tasks", "07")
>>> [role_label(cell.role, cell.source) for cell in matrix.cells_at(task, market)]
['牵头']
>>> column = next(a for a in matrix.agencies if a.iri == market)
>>> column.label, column.leads > 0
('台州市椒江区市场监督管理局', True)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from dutygraph.errors import DutygraphError
from dutygraph.kg.agency_search import AgencyCandidate, AgencyNotFound
from dutygraph.kg.agency_tasks import AgencyTask, RoleName, tasks_of
from dutygraph.kg.explain import NotInvolved, Source, Step, explain
from dutygraph.kg.iris import ID, plan_iri, task_iri
from dutygraph.kg.query_library import run_named
from dutygraph.kg.stores import GraphStore, QueryResult
from dutygraph.ontology.namespace import DG

__all__ = [
    "ROLE_LABELS",
    "AgencyColumn",
    "DueTask",
    "ExplainedTask",
    "MatrixCell",
    "PlanIndicator",
    "PlanMatrix",
    "PlanMilestone",
    "PlanNotFound",
    "PlanSummary",
    "PlanTask",
    "TaskAgencies",
    "TaskAgency",
    "TaskNotFound",
    "agency_by_iri",
    "assignment_sources",
    "deadlines_between",
    "explained_tasks",
    "find_plan",
    "indicators_by_metric",
    "key_part_of",
    "list_plans",
    "plan_id_of",
    "plan_indicators",
    "plan_matrix",
    "plan_milestones",
    "plan_tasks",
    "role_label",
    "task_agencies",
]

#: How a role reads in a matrix cell: 牵头 (lead), 配合 (assist), 负责 (responsible, the plan names no lead), 参与
#: (involved: reasoning implies the agency without a role).
ROLE_LABELS: dict[str, str] = {"lead": "牵头", "assist": "配合", "responsible": "负责", "involved": "参与"}
_INFERRED_MARK = "（推定）"
_ROLE_ORDER = tuple(ROLE_LABELS)

_ROLE_NAMES: dict[Identifier, str] = {
    DG.LeadRole: "lead",
    DG.AssistRole: "assist",
    DG.ResponsibleRole: "responsible",
}
_PLAN_PREFIX = f"{ID}plan/"
_XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


class PlanNotFound(DutygraphError):
    """The store holds no plan of that id."""


class TaskNotFound(DutygraphError):
    """The plan has no task of that key."""


def role_label(role: str, source: str = "asserted") -> str:
    """The Chinese word for a role, marked （推定） when only reasoning gives it.

    >>> role_label("assist"), role_label("lead", "inferred"), role_label("involved", "inferred")
    ('配合', '牵头（推定）', '参与（推定）')
    """
    word = ROLE_LABELS.get(role, role)
    return word + _INFERRED_MARK if source == "inferred" else word


def plan_id_of(iri: Identifier) -> str:
    """The plan id in a plan's IRI, or in the IRI of one of its parts (a task, a deadline, …).

    >>> plan_id_of(URIRef("https://w3id.org/dutygraph/id/plan/jiaojiang-2020-reform-tasks/task/18b"))
    'jiaojiang-2020-reform-tasks'

    :raises DutygraphError: the IRI is not a plan's, nor of a part of one.
    """
    text = str(iri)
    if not text.startswith(_PLAN_PREFIX) or text == _PLAN_PREFIX:
        raise DutygraphError(f"not the IRI of a plan or of a part of one: {text}")
    return text.removeprefix(_PLAN_PREFIX).split("/", 1)[0]


def key_part_of(task: Identifier) -> str:
    """The last segment of a task's IRI: the task's printed number within its plan (``18b`` of
    ``jiaojiang-2020-18b``), as the task page's URL writes it.

    >>> key_part_of(task_iri("jiaojiang-2020-reform-tasks", "18b"))
    '18b'
    """
    return str(task).rsplit("/", 1)[-1]


# --- records ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSummary:
    """One plan the store holds: its title, whose it is, its year and file, how many tasks it lists."""

    iri: URIRef
    plan_id: str
    title: str
    jurisdiction: URIRef | None
    jurisdiction_name: str
    year: int | None
    source_file: str
    task_count: int


@dataclass(frozen=True)
class PlanTask:
    """One task as its plan prints it: key (``jiaojiang-2020-07``), number, section, title, lines, deadlines.

    `dates` are the ISO dates of its dated deadlines, earliest first; `deadlines` the deadlines as written,
    joined with ``；``.
    """

    iri: URIRef
    plan_id: str
    key: str
    key_part: str
    number: str
    section: str
    title: str
    source: Source
    deadlines: str
    dates: tuple[str, ...]


@dataclass(frozen=True)
class PlanMilestone:
    """One phase a plan sets out (动员部署阶段, …), with its dates where the plan gives them."""

    iri: URIRef
    name: str
    text: str
    start: dt.date | None
    end: dt.date | None
    source: Source


@dataclass(frozen=True)
class PlanIndicator:
    """One quantified target (食品抽检量达到4.5批次/千人以上): of a task, or plan-wide when `task` is None."""

    iri: URIRef
    plan_id: str
    metric: str
    comparator: str
    value: Decimal | None
    unit: str
    target_date: dt.date | None
    as_written: str
    task: URIRef | None
    task_key: str | None


@dataclass(frozen=True)
class MatrixCell:
    """An agency's role on a task of the matrix; `source` is ``asserted`` (a plan says so) or ``inferred``."""

    task: URIRef
    agency: URIRef
    role: str  # lead | assist | responsible | involved (inferred, no role)
    source: str

    @property
    def label(self) -> str:
        """The cell as the matrix prints it (牵头, 配合（推定）, …)."""
        return role_label(self.role, self.source)


@dataclass(frozen=True)
class AgencyColumn:
    """One agency (or group) of a plan's matrix, with how many of the plan's tasks it takes in each role.

    `leads`, `assists`, `responsible` count tasks in that role, asserted or inferred; `involved` tasks reasoning
    implies with no role; `inferred` the tasks it has only by inference; `tasks` all of its tasks.
    """

    iri: URIRef
    label: str
    is_group: bool
    leads: int
    assists: int
    responsible: int
    involved: int
    inferred: int
    tasks: int


@dataclass(frozen=True)
class PlanMatrix:
    """A plan's division of labour: its tasks (rows, in plan order) × its agencies (columns), with the plan's
    milestones and targets. Columns: by the tasks the plan itself gives them — leads, then assists, then any role — then by all
    their tasks."""

    plan: PlanSummary
    tasks: tuple[PlanTask, ...]
    agencies: tuple[AgencyColumn, ...]
    cells: tuple[MatrixCell, ...]
    milestones: tuple[PlanMilestone, ...]
    indicators: tuple[PlanIndicator, ...]

    def cells_of(self, task: URIRef) -> tuple[MatrixCell, ...]:
        """The cells of one task's row, in column order."""
        return tuple(cell for cell in self._by_task().get(task, ()))

    def cells_at(self, task: URIRef, agency: URIRef) -> tuple[MatrixCell, ...]:
        """The roles one agency has on one task (usually one; none is an empty cell)."""
        return tuple(cell for cell in self._by_task().get(task, ()) if cell.agency == agency)

    def _by_task(self) -> dict[URIRef, list[MatrixCell]]:
        order = {column.iri: index for index, column in enumerate(self.agencies)}
        rows: dict[URIRef, list[MatrixCell]] = defaultdict(list)
        for cell in sorted(self.cells, key=lambda c: (order.get(c.agency, len(order)), c.role)):
            rows[cell.task].append(cell)
        return rows


@dataclass(frozen=True)
class TaskAgency:
    """An agency of a task: its role, asserted or inferred, and for an asserted one how the plan wrote it."""

    iri: URIRef
    label: str
    role: str  # lead | assist | responsible | involved
    source: str  # asserted | inferred
    as_written: str | None
    line_start: int | None


@dataclass(frozen=True)
class TaskAgencies:
    """A task and the agencies it involves: those the plan names (in plan order), then those inferred."""

    task: PlanTask
    agencies: tuple[TaskAgency, ...]


@dataclass(frozen=True)
class DueTask:
    """A dated deadline of a task: the date, how the plan wrote it (6月前) and its kind (ByDate, …)."""

    date: dt.date
    task: URIRef
    task_key: str
    key_part: str
    plan_id: str
    title: str
    kind: str
    as_written: str


@dataclass(frozen=True)
class ExplainedTask:
    """One of an agency's tasks, with the plan lines it comes from; an inferred one also with why.

    `sources` of an asserted row are the lines where the plan assigns the role (with the agency as written);
    of an inferred row, the task's lines and the lines of the statements the explanation rests on.
    """

    row: AgencyTask
    plan_id: str
    key_part: str
    sources: tuple[Source, ...]
    explanation: str | None


# --- rows -> values ---------------------------------------------------------------------------------------


def _rows(result: QueryResult) -> Iterator[dict[str, Identifier | None]]:
    for row in result.rows:
        yield dict(zip(result.variables, row, strict=True))


def _text(term: Identifier | str | None) -> str:
    return "" if term is None else str(term)


def _int(term: Identifier | None) -> int | None:
    if isinstance(term, Literal):
        try:
            return int(str(term))
        except ValueError:
            return None
    return None


def _date(term: Identifier | None) -> dt.date | None:
    if isinstance(term, Literal):
        try:
            return dt.date.fromisoformat(str(term))
        except ValueError:
            return None
    return None


def _decimal(term: Identifier | None) -> Decimal | None:
    if isinstance(term, Literal):
        try:
            return Decimal(str(term))
        except InvalidOperation:
            return None
    return None


def _iri(term: Identifier | None) -> URIRef | None:
    return term if isinstance(term, URIRef) else None


def _local_name(term: Identifier | None) -> str:
    return "" if term is None else str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _dates(text: Identifier | str | None) -> tuple[str, ...]:
    return tuple(sorted({d for d in _text(text).split() if d}))


def _phrases(text: Identifier | str | None) -> str:
    # GROUP_CONCAT joins in whatever order the engine met the values: sorted, every backend answers alike.
    return "；".join(sorted({p for p in _text(text).split("；") if p}))


# --- plans ---------------------------------------------------------------------------------------------------


def list_plans(store: GraphStore) -> tuple[PlanSummary, ...]:
    """Every plan the store holds, by jurisdiction.

    >>> [(p.plan_id, p.task_count) for p in list_plans(_example_store())][:2]
    [('jizhou-2020-supervision-plan', 22), ('wenzhou-2018-duty-table', 32)]
    """
    plans: list[PlanSummary] = []
    for values in _rows(run_named(store, "plans")):
        plan = _iri(values["plan"])
        if plan is None:
            continue
        plans.append(
            PlanSummary(
                iri=plan,
                plan_id=plan_id_of(plan),
                title=_text(values["title"]),
                jurisdiction=_iri(values["jurisdiction"]),
                jurisdiction_name=_text(values["jurisdictionName"]),
                year=_int(values["year"]),
                source_file=_text(values["sourceFile"]),
                task_count=_int(values["tasks"]) or 0,
            )
        )
    return tuple(plans)


def find_plan(store: GraphStore, plan_id: str) -> PlanSummary:
    """The plan of that id (its file stem).

    >>> find_plan(_example_store(), "wenzhou-2018-duty-table").title
    '2018年温州市食品安全工作责任分工一览表'

    :raises PlanNotFound: no plan of the store has that id (the message lists the ids it has).
    """
    plans = list_plans(store)
    wanted = plan_iri(plan_id)
    for plan in plans:
        if plan.iri == wanted:
            return plan
    known = ", ".join(p.plan_id for p in plans) or "none (run `dutygraph build`)"
    raise PlanNotFound(f"no plan {plan_id!r} in the store; its plans: {known}")


def plan_tasks(store: GraphStore, plan_id: str) -> tuple[PlanTask, ...]:
    """The tasks of a plan, in the order it prints them (none for an unknown plan).

    >>> task = plan_tasks(_example_store(), "jiaojiang-2020-reform-tasks")[6]
    >>> task.key, task.title, task.dates
    ('jiaojiang-2020-07', '加强和优化食品安全抽检工作。', ('2020-12-31',))
    """
    tasks: list[PlanTask] = []
    result = run_named(store, "plan-tasks", bindings={"plan": plan_iri(plan_id)})
    for values in _rows(result):
        task = _iri(values["task"])
        if task is None:
            continue
        tasks.append(
            PlanTask(
                iri=task,
                plan_id=plan_id_of(task),
                key=_text(values["taskKey"]),
                key_part=key_part_of(task),
                number=_text(values["number"]),
                section=_text(values["section"]),
                title=_text(values["title"]),
                source=Source(
                    _text(values["sourceFile"]), _int(values["lineStart"]), _int(values["lineEnd"])
                ),
                deadlines=_phrases(values["deadlines"]),
                dates=_dates(values["dates"]),
            )
        )
    return tuple(tasks)


def plan_milestones(store: GraphStore, plan_id: str) -> tuple[PlanMilestone, ...]:
    """The phases a plan sets out, in its order.

    >>> [m.name for m in plan_milestones(_example_store(), "yueqing-2022-demo-city-plan")][:1]
    ['启动阶段']
    """
    milestones: list[PlanMilestone] = []
    result = run_named(store, "plan-milestones", bindings={"plan": plan_iri(plan_id)})
    for values in _rows(result):
        milestone = _iri(values["milestone"])
        if milestone is None:
            continue
        milestones.append(
            PlanMilestone(
                iri=milestone,
                name=_text(values["name"]),
                text=_text(values["text"]),
                start=_date(values["start"]),
                end=_date(values["end"]),
                source=Source(
                    _text(values["sourceFile"]), _int(values["lineStart"]), _int(values["lineEnd"])
                ),
            )
        )
    return tuple(milestones)


def _indicator(values: dict[str, Identifier | None], plan_id: str) -> PlanIndicator | None:
    indicator = _iri(values["indicator"])
    if indicator is None:
        return None
    task = _iri(values.get("task"))
    return PlanIndicator(
        iri=indicator,
        plan_id=plan_id,
        metric=_text(values["metric"]),
        comparator=_text(values["comparator"]),
        value=_decimal(values["value"]),
        unit=_text(values["unit"]),
        target_date=_date(values["targetDate"]),
        as_written=_text(values["asWritten"]),
        task=task,
        task_key=_text(values["taskKey"]) or None,
    )


def plan_indicators(store: GraphStore, plan_id: str) -> tuple[PlanIndicator, ...]:
    """The quantified targets of a plan: plan-wide ones first, then its tasks'.

    >>> found = plan_indicators(_example_store(), "jiaojiang-2020-reform-tasks")
    >>> [(i.task_key, i.metric, str(i.value), i.unit) for i in found if i.metric == "食品抽检量"]
    [('jiaojiang-2020-07', '食品抽检量', '4.5', '批次/千人')]
    """
    result = run_named(store, "plan-indicators", bindings={"plan": plan_iri(plan_id)})
    found = (_indicator(values, plan_id) for values in _rows(result))
    return tuple(indicator for indicator in found if indicator is not None)


def plan_matrix(store: GraphStore, plan_id: str, *, inferred: bool = True) -> PlanMatrix:
    """A plan's agency × task matrix, with roles; without `inferred`, only what the plan asserts.

    >>> matrix = plan_matrix(_example_store(), "wenzhou-2018-duty-table")
    >>> len(matrix.tasks), matrix.tasks[0].key
    (32, 'wenzhou-2018-01')
    >>> counties = URIRef("https://w3id.org/dutygraph/id/group/330300/county-government")
    >>> pingyang = URIRef("https://w3id.org/dutygraph/id/agency/330326/government")
    >>> [cell.label for cell in matrix.cells_at(matrix.tasks[0].iri, counties) + matrix.cells_at(matrix.tasks[0].iri, pingyang)]
    ['牵头', '牵头（推定）']

    :raises PlanNotFound: no plan of that id.
    """
    plan = find_plan(store, plan_id)
    tasks = plan_tasks(store, plan.plan_id)
    result = run_named(store, "plan-matrix", bindings={"plan": plan.iri}, inferred=inferred)
    cells: dict[tuple[URIRef, URIRef, str], MatrixCell] = {}
    labels: dict[URIRef, str] = {}
    for values in _rows(result):
        task, agency = _iri(values["task"]), _iri(values["agency"])
        if task is None or agency is None:
            continue  # a task no agency is linked to: a row with no cells
        source = _text(values["source"])
        role = _ROLE_NAMES.get(values["role"], "involved") if values["role"] is not None else "involved"
        labels.setdefault(agency, _text(values["name"]) or str(agency))
        cells.setdefault((task, agency, role), MatrixCell(task, agency, role, source))
    columns = _columns(cells.values(), labels)
    return PlanMatrix(
        plan=plan,
        tasks=tasks,
        agencies=columns,
        cells=tuple(cells.values()),
        milestones=plan_milestones(store, plan.plan_id),
        indicators=plan_indicators(store, plan.plan_id),
    )


def _columns(cells: Iterable[MatrixCell], labels: dict[URIRef, str]) -> tuple[AgencyColumn, ...]:
    by_agency: dict[URIRef, list[MatrixCell]] = defaultdict(list)
    for cell in cells:
        by_agency[cell.agency].append(cell)
    columns: list[tuple[tuple[object, ...], AgencyColumn]] = []
    for agency, mine in by_agency.items():

        def tasks_in(role: str, mine: list[MatrixCell] = mine) -> int:
            return len({c.task for c in mine if c.role == role})

        asserted_tasks = {c.task for c in mine if c.source == "asserted"}
        all_tasks = {c.task for c in mine}
        column = AgencyColumn(
            iri=agency,
            label=labels[agency],
            is_group=str(agency).startswith(f"{ID}group/"),
            leads=tasks_in("lead"),
            assists=tasks_in("assist"),
            responsible=tasks_in("responsible"),
            involved=tasks_in("involved"),
            inferred=len(all_tasks - asserted_tasks),
            tasks=len(all_tasks),
        )
        # What the plan itself says orders the columns; inferences only break ties.
        asserted_in = {
            role: len({c.task for c in mine if c.role == role and c.source == "asserted"})
            for role in ROLE_LABELS
        }
        order = (
            -asserted_in["lead"],
            -asserted_in["assist"],
            -len(asserted_tasks),
            -column.tasks,
            column.label,
        )
        columns.append((order, column))
    return tuple(column for _, column in sorted(columns, key=lambda pair: pair[0]))


# --- tasks ----------------------------------------------------------------------------------------------------


def task_agencies(store: GraphStore, plan_id: str, key_part: str, *, inferred: bool = True) -> TaskAgencies:
    """The agencies of one task — the plan's own wording and line for those it names.

    >>> found = task_agencies(_example_store(), "jiaojiang-2020-reform-tasks", "07")
    >>> [(a.label, a.role, a.as_written) for a in found.agencies][:2]
    [('台州市椒江区市场监督管理局', 'lead', '区市场监管局'), ('台州市椒江区农业农村局', 'assist', '区农水局')]

    :raises TaskNotFound: the plan has no task `key_part` (or there is no such plan).
    """
    wanted = task_iri(plan_id, key_part)
    task = next((t for t in plan_tasks(store, plan_id) if t.iri == wanted), None)
    if task is None:
        raise TaskNotFound(f"plan {plan_id!r} has no task {key_part!r} in the store")
    result = run_named(store, "task-agencies", bindings={"task": task.iri}, inferred=inferred)
    agencies: dict[tuple[URIRef, str, str], TaskAgency] = {}
    for values in _rows(result):
        agency = _iri(values["agency"])
        if agency is None:
            continue
        role = _ROLE_NAMES.get(values["role"], "involved") if values["role"] is not None else "involved"
        source = _text(values["source"])
        agencies.setdefault(
            (agency, role, source),
            TaskAgency(
                iri=agency,
                label=_text(values["name"]) or str(agency),
                role=role,
                source=source,
                as_written=_text(values["asWritten"]) or None,
                line_start=_int(values["lineStart"]),
            ),
        )
    ordered = sorted(
        agencies.values(),
        key=lambda a: (a.source != "asserted", _ROLE_ORDER.index(a.role), a.line_start or 0, a.label),
    )
    return TaskAgencies(task=task, agencies=tuple(ordered))


def deadlines_between(store: GraphStore, start: dt.date, end: dt.date) -> tuple[DueTask, ...]:
    """The tasks with a dated deadline from `start` to `end` (both included), earliest first.

    >>> [(d.task_key, d.as_written) for d in deadlines_between(_example_store(), dt.date(2018, 6, 1), dt.date(2018, 6, 30))]
    [('wenzhou-2018-01', '6月前')]
    """
    bindings: dict[str, Identifier] = {
        "from": Literal(start.isoformat(), datatype=_XSD_DATE),
        "to": Literal(end.isoformat(), datatype=_XSD_DATE),
    }
    due: list[DueTask] = []
    for values in _rows(run_named(store, "deadlines-between", bindings=bindings)):
        task, date = _iri(values["task"]), _date(values["date"])
        if task is None or date is None:
            continue
        due.append(
            DueTask(
                date=date,
                task=task,
                task_key=_text(values["taskKey"]),
                key_part=key_part_of(task),
                plan_id=plan_id_of(task),
                title=_text(values["title"]),
                kind=_local_name(values["kind"]),
                as_written=_text(values["asWritten"]),
            )
        )
    return tuple(due)


def indicators_by_metric(store: GraphStore, text: str) -> tuple[PlanIndicator, ...]:
    """The targets, in any plan, whose metric's name contains `text`.

    >>> [(i.plan_id, str(i.value), i.unit) for i in indicators_by_metric(_example_store(), "抽检量")][:1]
    [('jiaojiang-2020-reform-tasks', '4.5', '批次/千人')]
    """
    result = run_named(store, "indicators-by-metric", bindings={"metricText": Literal(text)})
    found: list[PlanIndicator] = []
    for values in _rows(result):
        plan = _iri(values["plan"])
        indicator = _indicator(values, plan_id_of(plan)) if plan is not None else None
        if indicator is not None:
            found.append(indicator)
    return tuple(found)


# --- an agency's tasks ------------------------------------------------------------------------------------------


def agency_by_iri(store: GraphStore, agency: URIRef) -> AgencyCandidate:
    """The agency (or group) of that IRI, as `dutygraph.kg.agency_search` describes one — without searching.

    >>> from dutygraph.kg.iris import agency_iri
    >>> found = agency_by_iri(_example_store(), agency_iri("331002", "agriculture"))
    >>> found.label, found.written_forms
    ('台州市椒江区农业农村局', ('区农水局',))

    :raises AgencyNotFound: the store holds no agency of that IRI.
    """
    rows = list(_rows(run_named(store, "agency", bindings={"agency": agency})))
    if not rows:
        raise AgencyNotFound(f"no agency {agency} in the store")
    first = rows[0]
    written = sorted({_text(values["written"]) for values in rows if values["written"] is not None})
    return AgencyCandidate(
        agency, _text(first["label"]), _text(first["typeKey"]), _text(first["code"]), tuple(written)
    )


def assignment_sources(store: GraphStore, agency: URIRef) -> dict[tuple[URIRef, str], tuple[Source, ...]]:
    """Where the plans give `agency` a role: (task, role) → the plan file, lines and the agency as written.

    >>> from dutygraph.kg.iris import agency_iri
    >>> sources = assignment_sources(_example_store(), agency_iri("331002", "agriculture"))
    >>> source = sources[task_iri("jiaojiang-2020-reform-tasks", "07"), "assist"][0]
    >>> source.as_written, source.role, source.where()
    ('区农水局', 'assist', 'jiaojiang-2020-reform-tasks.txt 第 53–58 行')
    """
    found: dict[tuple[URIRef, str], list[Source]] = defaultdict(list)
    for values in _rows(run_named(store, "agency-assignments", bindings={"agency": agency})):
        task, role_term = _iri(values["task"]), values["role"]
        role = _ROLE_NAMES.get(role_term) if role_term is not None else None
        if task is None or role is None:
            continue
        source = Source(
            _text(values["sourceFile"]),
            _int(values["lineStart"]),
            _int(values["lineEnd"]),
            _text(values["asWritten"]) or None,
            role,
        )
        if source not in found[task, role]:
            found[task, role].append(source)
    return {key: tuple(sources) for key, sources in found.items()}


def explained_tasks(
    store: GraphStore,
    agency: AgencyCandidate,
    *,
    role: RoleName | None = None,
    asserted_only: bool = False,
    explain_inferred: bool = True,
) -> tuple[ExplainedTask, ...]:
    """An agency's tasks (`dutygraph.kg.agency_tasks.tasks_of`), each with its plan lines; an inferred one also
    with the explanation `dutygraph.kg.explain` gives (unless `explain_inferred` is false: explaining costs a
    search per row).

    >>> from dutygraph.kg.agency_search import resolve_agency
    >>> store = _example_store()
    >>> rows = explained_tasks(store, resolve_agency(store, "天台县教育局"))
    >>> [(r.row.task_key, r.row.source) for r in rows]
    [('tiantai-2019-3-4', 'inferred'), ('tiantai-2019-6-3', 'inferred')]
    >>> "学校" in (rows[0].explanation or "")
    True
    """
    rows = tasks_of(store, [agency], role=role, asserted_only=asserted_only)
    written = assignment_sources(store, agency.iri) if any(r.source == "asserted" for r in rows) else {}
    found: list[ExplainedTask] = []
    for row in rows:
        explanation: str | None = None
        sources: tuple[Source, ...] = written.get((row.task, row.role), ())
        if row.source == "inferred" and explain_inferred:
            try:
                why = explain(store, task=row.task, agency=row.agency)
            except NotInvolved:
                why = None
            if why is not None:
                explanation = why.text()
                sources = _explanation_sources(why.task_source, why.proof.walk())
        found.append(
            ExplainedTask(
                row=dataclasses.replace(
                    row, deadlines=_phrases(row.deadlines), dates=_dates(" ".join(row.dates))
                ),
                plan_id=plan_id_of(row.plan),
                key_part=key_part_of(row.task),
                sources=sources,
                explanation=explanation,
            )
        )
    return tuple(found)


def _explanation_sources(task_source: Source, steps: Iterable[Step]) -> tuple[Source, ...]:
    found: list[Source] = [task_source]
    for step in steps:
        if step.rule != "asserted":
            continue
        for source in step.sources:
            if source.line_start is not None and source not in found:
                found.append(source)
    return tuple(found)


@functools.cache
def _example_store() -> GraphStore:
    """The five bundled plans, built once per process with reasoning: the store the doctests read."""
    from dutygraph.kg.build import build
    from dutygraph.kg.stores import open_store

    store = open_store("memory")
    build(store, [])
    return store
