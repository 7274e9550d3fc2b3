"""The API for policy staff under ``/api``: find a bureau by any written name, its tasks (with why, when only
reasoning gives them), a task's agencies, a plan's lead/assist matrix (JSON, CSV, Excel), what falls due in a
period, and targets by metric.

Each route parses its input, calls `dutygraph.kg` (`agency_search`, `plan_views`, `exports`) and shapes the
records into the models of `dutygraph.api.schemas`; no SPARQL here.

>>> from fastapi.testclient import TestClient
>>> from dutygraph.api.app import create_app
>>> from dutygraph.kg.plan_views import _example_store
>>> from dutygraph.settings import get_settings
>>> with TestClient(create_app(get_settings(backend="memory"), store=_example_store())) as client:
...     found = client.get("/api/agencies", params={"q": "区农水局"}).json()
>>> found["ambiguous"], found["agency"]["label"]
(False, '台州市椒江区农业农村局')
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Response

from dutygraph.api.deps import AnswersDep, StoreDep
from dutygraph.api.schemas import (
    AgencyRef,
    AgencySearch,
    AgencyTaskItem,
    AgencyTasks,
    DeadlineItem,
    DeadlineRange,
    Deadlines,
    IndicatorItem,
    Indicators,
    MatrixAgency,
    MatrixCellItem,
    MatrixRow,
    MilestoneItem,
    PlanItem,
    PlanMatrix,
    Problem,
    RoleField,
    SourceField,
    SourceLines,
    TaskAgencies,
    TaskAgencyItem,
    TaskItem,
)
from dutygraph.errors import DutygraphError
from dutygraph.kg import plan_views
from dutygraph.kg.agency_search import AgencyCandidate, AgencyNotFound, find_agencies
from dutygraph.kg.describe import asserted_in_plans, page_path
from dutygraph.kg.explain import Source
from dutygraph.kg.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, matrix_csv, matrix_xlsx
from dutygraph.kg.iris import agency_iri
from dutygraph.kg.stores import GraphStore

AGENCIES = "单位 agencies"
TASKS = "任务 tasks"
PLANS = "方案 plans"

router = APIRouter(prefix="/api")

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "不存在 / not in the store"}
}


# --- shaping ----------------------------------------------------------------------------------------------

_ROLES: dict[str, RoleField] = {"lead": "lead", "assist": "assist", "responsible": "responsible"}
_SOURCES: dict[str, SourceField] = {"asserted": "asserted", "inferred": "inferred"}


def _role(name: str) -> RoleField:
    """The role's name as the API spells it: an inferred involvement without a role is ``involved``."""
    return _ROLES.get(name, "involved")


def _source(name: str) -> SourceField:
    return _SOURCES.get(name, "inferred")


def _dates(iso_dates: tuple[str, ...]) -> list[dt.date]:
    return sorted(dt.date.fromisoformat(day) for day in iso_dates)


def _lines(source: Source) -> SourceLines:
    return SourceLines(
        document=source.document,
        line_start=source.line_start,
        line_end=source.line_end,
        as_written=source.as_written,
        where=source.where(),
    )


def _agency(store: GraphStore, candidate: AgencyCandidate) -> AgencyRef:
    page = page_path(candidate.iri) or ""
    return AgencyRef(
        iri=str(candidate.iri),
        label=candidate.label,
        type_key=candidate.type_key,
        jurisdiction_code=candidate.jurisdiction_code,
        jurisdiction_name=candidate.jurisdiction_name,
        written_forms=list(candidate.written_forms),
        in_plans=asserted_in_plans(store, candidate.iri),
        page=page,
        tasks_url=f"/api/agencies{page.removeprefix('/agency')}/tasks"
        if page.startswith("/agency/")
        else None,
    )


def _plan(plan: plan_views.PlanSummary) -> PlanItem:
    return PlanItem(
        iri=str(plan.iri),
        plan_id=plan.plan_id,
        title=plan.title,
        jurisdiction=str(plan.jurisdiction) if plan.jurisdiction is not None else None,
        jurisdiction_name=plan.jurisdiction_name,
        year=plan.year,
        source_file=plan.source_file,
        task_count=plan.task_count,
        page=page_path(plan.iri) or "",
        matrix_url=f"/api/plans/{plan.plan_id}/matrix",
    )


def _task(task: plan_views.PlanTask) -> TaskItem:
    return TaskItem(
        iri=str(task.iri),
        key=task.key,
        key_part=task.key_part,
        plan_id=task.plan_id,
        number=task.number,
        section=task.section,
        title=task.title,
        lines=_lines(task.source),
        deadlines=task.deadlines,
        dates=_dates(task.dates),
        page=page_path(task.iri) or "",
    )


def _indicator(indicator: plan_views.PlanIndicator) -> IndicatorItem:
    owner = indicator.task if indicator.task is not None else indicator.iri
    return IndicatorItem(
        iri=str(indicator.iri),
        plan_id=indicator.plan_id,
        metric=indicator.metric,
        comparator=indicator.comparator,
        value=float(indicator.value) if indicator.value is not None else None,
        unit=indicator.unit,
        target_date=indicator.target_date,
        as_written=indicator.as_written,
        task=str(indicator.task) if indicator.task is not None else None,
        task_key=indicator.task_key,
        page=page_path(owner),
    )


def _not_found(error: DutygraphError) -> HTTPException:
    return HTTPException(status_code=404, detail=str(error))


# --- agencies ---------------------------------------------------------------------------------------------


@router.get(
    "/agencies",
    tags=[AGENCIES],
    summary="按名称查找单位 / Find an agency by name",
    response_model=AgencySearch,
    responses={
        404: {"model": Problem, "description": "没有单位叫这个名字 / no agency goes by the name"},
        422: {"model": Problem, "description": "未知辖区 / unknown jurisdiction"},
    },
)
def search_agencies(
    store: StoreDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            description="单位名称，任何写法：全称、简称、旧称 / the agency as any plan writes it, e.g. 区农水局, 市场监管局",
        ),
    ],
    jurisdiction: Annotated[
        str | None,
        Query(max_length=50, description="限定辖区 / only agencies of this place, e.g. 乐清市"),
    ] = None,
) -> AgencySearch:
    """A name such as 市场监管局 may mean several bureaus: then `ambiguous` is true and `candidates` lists each
    (with its jurisdiction, IRI and page) for the user to choose from — dutygraph never guesses. One match fills
    `agency`."""
    try:
        found = find_agencies(store, q, jurisdiction=jurisdiction)
    except DutygraphError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    if not found:
        where = f" in {jurisdiction}" if jurisdiction else ""
        raise HTTPException(status_code=404, detail=f"no agency in the store goes by {q!r}{where}")
    candidates = [_agency(store, candidate) for candidate in found]
    return AgencySearch(
        query=q,
        jurisdiction=jurisdiction,
        ambiguous=len(candidates) > 1,
        agency=candidates[0] if len(candidates) == 1 else None,
        candidates=candidates,
    )


@router.get(
    "/agencies/{code}/{type_key}/tasks",
    tags=[AGENCIES, TASKS],
    summary="单位的任务 / Tasks of an agency",
    response_model=AgencyTasks,
    responses=_NOT_FOUND,
)
def agency_tasks(
    store: StoreDep,
    answers: AnswersDep,
    code: str,
    type_key: str,
    role: Annotated[
        Literal["lead", "assist", "responsible"] | None,
        Query(description="只看此角色 / only tasks in this role"),
    ] = None,
    asserted_only: Annotated[
        bool, Query(description="只看方案明文，不含推理 / only what the plans state, no inferences")
    ] = False,
    explain: Annotated[
        bool, Query(description="说明推定任务的由来 / explain each inferred task (costs a search each)")
    ] = True,
) -> Response:
    """The agency of jurisdiction `code` and type `type_key` (its IRI's last two segments): every task it leads,
    assists or shares, earliest deadline first, with the plan lines. A task only reasoning links it to (as a
    member of a group a plan names, or by remit) is `inferred` and comes with the explanation."""
    # The JSON is remembered per published snapshot: staff ask for the same bureaus again and again.
    body = answers.get(
        store,
        ("agency-tasks", code, type_key, role, asserted_only, explain),
        lambda: _agency_tasks(store, code, type_key, role, asserted_only, explain).model_dump_json().encode(),
    )
    return Response(body, media_type="application/json")


def _agency_tasks(
    store: GraphStore,
    code: str,
    type_key: str,
    role: Literal["lead", "assist", "responsible"] | None,
    asserted_only: bool,
    explain: bool,
) -> AgencyTasks:
    try:
        agency = plan_views.agency_by_iri(store, agency_iri(code, type_key))
    except AgencyNotFound as error:
        raise _not_found(error) from error
    rows = plan_views.explained_tasks(
        store, agency, role=role, asserted_only=asserted_only, explain_inferred=explain
    )
    tasks = [
        AgencyTaskItem(
            task=str(item.row.task),
            task_key=item.row.task_key,
            title=item.row.title,
            role=_role(item.row.role),
            role_label=plan_views.role_label(item.row.role, item.row.source),
            source=_source(item.row.source),
            plan_id=item.plan_id,
            plan=str(item.row.plan),
            deadlines=item.row.deadlines,
            dates=_dates(item.row.dates),
            lines=[_lines(source) for source in item.sources],
            explanation=item.explanation,
            page=page_path(item.row.task) or "",
        )
        for item in rows
    ]
    return AgencyTasks(
        agency=_agency(store, agency), role=role, asserted_only=asserted_only, count=len(tasks), tasks=tasks
    )


# --- plans and tasks --------------------------------------------------------------------------------------


@router.get(
    "/plans",
    tags=[PLANS],
    summary="方案一览 / Plans",
    response_model=list[PlanItem],
)
def plans(store: StoreDep) -> list[PlanItem]:
    """Every plan the store holds, by jurisdiction: title, year, file, number of tasks."""
    return [_plan(plan) for plan in plan_views.list_plans(store)]


@router.get(
    "/plans/{plan_id}/tasks/{key_part}/agencies",
    tags=[TASKS, AGENCIES],
    summary="任务的责任单位 / Agencies of a task",
    response_model=TaskAgencies,
    responses=_NOT_FOUND,
)
def task_agencies(
    store: StoreDep,
    plan_id: str,
    key_part: str,
    asserted_only: Annotated[bool, Query(description="只看方案明文 / only what the plan states")] = False,
) -> TaskAgencies:
    """Task `key_part` of plan `plan_id` (e.g. jiaojiang-2020-reform-tasks, 07): the agencies it names — lead,
    assist, responsible, each as the plan wrote it and on which line — then those reasoning implies."""
    try:
        found = plan_views.task_agencies(store, plan_id, key_part, inferred=not asserted_only)
    except plan_views.TaskNotFound as error:
        raise _not_found(error) from error
    agencies = [
        TaskAgencyItem(
            iri=str(agency.iri),
            label=agency.label,
            role=_role(agency.role),
            role_label=plan_views.role_label(agency.role, agency.source),
            source=_source(agency.source),
            as_written=agency.as_written,
            line_start=agency.line_start,
            page=page_path(agency.iri),
        )
        for agency in found.agencies
    ]
    return TaskAgencies(task=_task(found.task), asserted_only=asserted_only, agencies=agencies)


def _attachment(plan_id: str, suffix: str) -> dict[str, str]:
    # RFC 6266 / 5987: the name in UTF-8, percent-encoded, so any plan id survives.
    return {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(f'{plan_id}-matrix.{suffix}', safe='')}"
    }


@router.get(
    "/plans/{plan_id}/matrix",
    tags=[PLANS],
    summary="方案分工矩阵（可下载 CSV、Excel） / A plan's lead/assist matrix (JSON, CSV, Excel)",
    response_model=PlanMatrix,
    responses={
        200: {
            "description": "JSON；或 CSV（UTF-8 带 BOM）、Excel 下载 / JSON, or a CSV (UTF-8 with BOM) or .xlsx download",
            "content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}},
        },
        **_NOT_FOUND,
    },
)
def matrix(
    store: StoreDep,
    plan_id: str,
    format: Annotated[
        Literal["json", "csv", "xlsx"],
        Query(description="json；csv 或 xlsx 为下载文件 / json, or a csv or xlsx file to download"),
    ] = "json",
    asserted_only: Annotated[bool, Query(description="只看方案明文 / only what the plan states")] = False,
) -> PlanMatrix | Response:
    """Rows: the plan's tasks in plan order; columns: the agencies (named by the plan first, busiest first);
    cells: 牵头 / 配合 / 负责, marked （推定） when only reasoning gives them. With the lead/assist counts of each
    agency, the plan's milestones and targets. `format=csv` or `xlsx` downloads the same table for Excel."""
    try:
        found = plan_views.plan_matrix(store, plan_id, inferred=not asserted_only)
    except plan_views.PlanNotFound as error:
        raise _not_found(error) from error
    if format == "csv":
        return Response(matrix_csv(found), media_type=CSV_MEDIA_TYPE, headers=_attachment(plan_id, "csv"))
    if format == "xlsx":
        return Response(matrix_xlsx(found), media_type=XLSX_MEDIA_TYPE, headers=_attachment(plan_id, "xlsx"))
    return PlanMatrix(
        plan=_plan(found.plan),
        asserted_only=asserted_only,
        agencies=[
            MatrixAgency(
                iri=str(column.iri),
                label=column.label,
                is_group=column.is_group,
                page=page_path(column.iri),
                leads=column.leads,
                assists=column.assists,
                responsible=column.responsible,
                involved=column.involved,
                inferred=column.inferred,
                tasks=column.tasks,
            )
            for column in found.agencies
        ],
        rows=[
            MatrixRow(
                task=_task(task),
                cells=[
                    MatrixCellItem(
                        agency=str(cell.agency),
                        role=_role(cell.role),
                        source=_source(cell.source),
                        label=cell.label,
                    )
                    for cell in found.cells_of(task.iri)
                ],
            )
            for task in found.tasks
        ],
        milestones=[
            MilestoneItem(
                iri=str(milestone.iri),
                name=milestone.name,
                text=milestone.text,
                start=milestone.start,
                end=milestone.end,
                lines=_lines(milestone.source),
            )
            for milestone in found.milestones
        ],
        indicators=[_indicator(indicator) for indicator in found.indicators],
    )


# --- across plans -----------------------------------------------------------------------------------------


@router.get(
    "/deadlines",
    tags=[TASKS],
    summary="期间到期的任务 / Tasks due in a period",
    response_model=Deadlines,
    responses={422: {"description": "日期无效或起止颠倒 / not an ISO date, or from after to"}},
)
def deadlines(store: StoreDep, period: Annotated[DeadlineRange, Query()]) -> Deadlines:
    """Every task with a dated deadline from `from` to `to` (ISO dates, both days included), earliest first.
    Deadlines without a date (年度日常工作, 根据上级部署) never fall in a period."""
    due = plan_views.deadlines_between(store, period.start, period.end)
    items = [
        DeadlineItem(
            date=item.date,
            as_written=item.as_written,
            kind=item.kind,
            task=str(item.task),
            task_key=item.task_key,
            title=item.title,
            plan_id=item.plan_id,
            page=page_path(item.task) or "",
        )
        for item in due
    ]
    return Deadlines(start=period.start, end=period.end, count=len(items), deadlines=items)


@router.get(
    "/indicators",
    tags=[PLANS],
    summary="按指标名查找量化指标 / Quantified targets by metric",
    response_model=Indicators,
)
def indicators(
    store: StoreDep,
    metric: Annotated[
        str,
        Query(
            min_length=1,
            max_length=50,
            description="指标名称中的字词 / words the metric's name contains, e.g. 抽检量",
        ),
    ],
) -> Indicators:
    """Targets in any plan whose metric contains `metric` (抽检量 finds 食品抽检量达到4.5批次/千人以上)."""
    found = [_indicator(indicator) for indicator in plan_views.indicators_by_metric(store, metric)]
    return Indicators(metric=metric, count=len(found), indicators=found)
