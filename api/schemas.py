"""The staff API's response models (and its one query model): what each JSON answer holds, described in Chinese
and English for the OpenAPI page. Routes fill them from the records of `dutygraph.kg`; nothing here queries.

>>> DeadlineRange.model_validate({"from": "2018-06-01", "to": "2018-06-30"}).end
datetime.date(2018, 6, 30)
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

RoleField = Literal["lead", "assist", "responsible", "involved"]
SourceField = Literal["asserted", "inferred"]


class Problem(BaseModel):
    """Why a request has no answer (404, 422)."""

    detail: str = Field(description="原因 / what is wrong, e.g. no plan 'x' in the store")


class SourceLines(BaseModel):
    """Where something is written: the plan file, its lines, the wording."""

    document: str = Field(description="方案文件 / plan file, e.g. jiaojiang-2020-reform-tasks.txt")
    line_start: int | None = Field(description="起始行（从 1 起） / first line, 1-based")
    line_end: int | None = Field(description="结束行 / last line")
    as_written: str | None = Field(
        default=None, description="方案原文对该单位的写法 / the agency as the plan wrote it, e.g. 区农水局"
    )
    where: str = Field(description="出处 / the place, readable: 文件 第 53–58 行")


class AgencyRef(BaseModel):
    """One agency (or group of agencies): who it is and where to read more."""

    iri: str = Field(description="单位 IRI / the agency's IRI (dereferenceable)")
    label: str = Field(description="规范全称 / full name, e.g. 台州市椒江区农业农村局")
    type_key: str = Field(description="单位类型 / agency type key, e.g. agriculture")
    jurisdiction_code: str = Field(description="辖区行政区划代码 / GB/T 2260 code of its jurisdiction")
    jurisdiction_name: str = Field(description="辖区 / jurisdiction, e.g. 台州市椒江区")
    written_forms: list[str] = Field(
        description="方案中的其他写法 / other ways plans write it, e.g. 区农水局"
    )
    in_plans: bool = Field(
        description="是否有方案点名该单位；否则仅由推理得出 / whether a plan names it (else only reasoning implies it)"
    )
    page: str = Field(description="单位页面 / its page, e.g. /agency/331002/agriculture")
    tasks_url: str | None = Field(description="该单位任务的 API 地址 / API URL of its tasks (agencies only)")


class AgencySearch(BaseModel):
    """The agencies a name may mean: one (`agency`), or several for the user to choose from."""

    query: str = Field(description="查询的名称 / the name searched for")
    jurisdiction: str | None = Field(description="限定辖区 / the jurisdiction it was limited to")
    ambiguous: bool = Field(description="名称是否对应多个单位 / whether the name fits several agencies")
    agency: AgencyRef | None = Field(description="唯一匹配的单位 / the agency, when only one fits")
    candidates: list[AgencyRef] = Field(description="所有匹配的单位 / every agency that fits")


class AgencyTaskItem(BaseModel):
    """One task of an agency: its role, the plan, the deadlines, where it is written and — if inferred — why."""

    task: str = Field(description="任务 IRI / the task's IRI")
    task_key: str = Field(description="任务编号 / task key, e.g. jiaojiang-2020-07")
    title: str = Field(description="任务名称 / task title")
    role: RoleField = Field(
        description="角色：lead 牵头、assist 配合、responsible 负责、involved 推定参与 / the agency's role"
    )
    role_label: str = Field(description="角色（中文） / the role in Chinese, e.g. 配合, 牵头（推定）")
    source: SourceField = Field(
        description="asserted 方案明文规定 / a plan says so; inferred 由推理得出 / reasoning implies it"
    )
    plan_id: str = Field(description="方案编号 / plan id, e.g. jiaojiang-2020-reform-tasks")
    plan: str = Field(description="方案 IRI / the plan's IRI")
    deadlines: str = Field(description="完成时限（原文） / deadlines as written, joined with ；")
    dates: list[dt.date] = Field(description="完成日期 / the deadlines' dates, earliest first")
    lines: list[SourceLines] = Field(description="方案出处 / the plan lines it rests on")
    explanation: str | None = Field(
        description="推理说明（仅推定任务） / why reasoning implies it (inferred tasks only)"
    )
    page: str = Field(description="任务页面 / the task's page")


class AgencyTasks(BaseModel):
    """An agency's tasks, earliest deadline first."""

    agency: AgencyRef
    role: Literal["lead", "assist", "responsible"] | None = Field(description="只看此角色 / only this role")
    asserted_only: bool = Field(description="只看方案明文 / only what the plans state")
    count: int = Field(description="任务数 / number of tasks listed")
    tasks: list[AgencyTaskItem]


class PlanItem(BaseModel):
    """One plan the store holds."""

    iri: str = Field(description="方案 IRI / the plan's IRI")
    plan_id: str = Field(description="方案编号（文件名） / plan id (its file stem)")
    title: str = Field(description="方案标题 / title")
    jurisdiction: str | None = Field(description="发文辖区 IRI / IRI of the issuing jurisdiction")
    jurisdiction_name: str = Field(description="发文辖区 / issuing jurisdiction, e.g. 温州市")
    year: int | None = Field(description="年度 / year")
    source_file: str = Field(description="方案文件 / source file")
    task_count: int = Field(description="任务数 / number of tasks")
    page: str = Field(description="方案页面 / the plan's page")
    matrix_url: str = Field(description="分工矩阵 API 地址 / API URL of its matrix")


class TaskItem(BaseModel):
    """One task as its plan prints it."""

    iri: str = Field(description="任务 IRI / the task's IRI")
    key: str = Field(description="任务编号 / task key, e.g. wenzhou-2018-01")
    key_part: str = Field(description="方案内编号 / its number within the plan (URL segment), e.g. 01")
    plan_id: str = Field(description="方案编号 / plan id")
    number: str = Field(description="原文序号 / number as printed")
    section: str = Field(description="所属部分 / section of the plan")
    title: str = Field(description="任务名称 / title")
    lines: SourceLines = Field(description="任务在方案中的位置 / where the task is written")
    deadlines: str = Field(description="完成时限（原文） / deadlines as written")
    dates: list[dt.date] = Field(description="完成日期 / the deadlines' dates, earliest first")
    page: str = Field(description="任务页面 / the task's page")


class TaskAgencyItem(BaseModel):
    """An agency of a task."""

    iri: str = Field(description="单位 IRI / the agency's IRI")
    label: str = Field(description="单位名称 / full name")
    role: RoleField = Field(description="角色 / role: lead, assist, responsible, involved")
    role_label: str = Field(description="角色（中文） / the role in Chinese")
    source: SourceField = Field(description="明文或推定 / asserted by the plan or inferred")
    as_written: str | None = Field(description="方案原文写法 / as the plan wrote it (asserted only)")
    line_start: int | None = Field(description="方案行号 / plan line (asserted only)")
    page: str | None = Field(description="单位页面 / the agency's page")


class TaskAgencies(BaseModel):
    """A task and the agencies it involves: named by the plan first (lead, assist, responsible), then inferred."""

    task: TaskItem
    asserted_only: bool = Field(description="只看方案明文 / only what the plan states")
    agencies: list[TaskAgencyItem]


class MatrixAgency(BaseModel):
    """One column of a plan's matrix, with the agency's task counts in this plan."""

    iri: str = Field(description="单位 IRI / the agency's IRI")
    label: str = Field(description="单位名称 / full name")
    is_group: bool = Field(description="是否为单位集合（如各县（市、区）政府） / a group of units")
    page: str | None = Field(description="单位页面 / its page")
    leads: int = Field(description="牵头任务数 / tasks it leads")
    assists: int = Field(description="配合任务数 / tasks it assists")
    responsible: int = Field(description="负责任务数（未分牵头配合） / tasks it shares without a lead")
    involved: int = Field(description="推定参与（无角色）任务数 / tasks reasoning implies with no role")
    inferred: int = Field(description="其中仅由推理得出的任务数 / of its tasks, those only inferred")
    tasks: int = Field(description="任务合计 / all its tasks in the plan")


class MatrixCellItem(BaseModel):
    """An agency's role on a task."""

    agency: str = Field(description="单位 IRI / the agency's IRI (a column)")
    role: RoleField = Field(description="角色 / role")
    source: SourceField = Field(description="明文或推定 / asserted or inferred")
    label: str = Field(description="单元格文字 / cell text, e.g. 牵头, 配合（推定）")


class MatrixRow(BaseModel):
    """One row of the matrix: a task and its filled cells, in column order."""

    task: TaskItem
    cells: list[MatrixCellItem]


class MilestoneItem(BaseModel):
    """One phase a plan sets out."""

    iri: str = Field(description="IRI")
    name: str = Field(description="阶段名称 / name, e.g. 启动阶段")
    text: str = Field(description="内容 / what it says")
    start: dt.date | None = Field(description="开始日期 / start date")
    end: dt.date | None = Field(description="结束日期 / end date")
    lines: SourceLines = Field(description="出处 / where it is written")


class IndicatorItem(BaseModel):
    """One quantified target."""

    iri: str = Field(description="IRI")
    plan_id: str = Field(description="方案编号 / plan id")
    metric: str = Field(description="指标 / metric, e.g. 食品抽检量")
    comparator: str = Field(description="比较 / comparator: >=, <=, =, reduce-by, increase-by")
    value: float | None = Field(description="目标值 / target value, e.g. 4.5")
    unit: str = Field(description="单位 / unit, e.g. 批次/千人")
    target_date: dt.date | None = Field(description="目标日期 / by when")
    as_written: str = Field(description="原文 / as written, e.g. 食品抽检量达到4.5批次/千人以上")
    task: str | None = Field(description="任务 IRI（全方案指标为空） / the task's IRI (none: plan-wide)")
    task_key: str | None = Field(description="任务编号 / task key")
    page: str | None = Field(description="任务或方案页面 / the task's (or plan's) page")


class PlanMatrix(BaseModel):
    """A plan's division of labour: tasks (rows, in plan order) × agencies (columns), milestones, targets."""

    plan: PlanItem
    asserted_only: bool = Field(description="只看方案明文 / only what the plan states")
    agencies: list[MatrixAgency] = Field(
        description="列：单位及其任务数 / columns: agencies and their counts"
    )
    rows: list[MatrixRow] = Field(description="行：任务及其单元格 / rows: tasks and their cells")
    milestones: list[MilestoneItem] = Field(description="工作步骤 / the plan's phases")
    indicators: list[IndicatorItem] = Field(description="量化指标 / the plan's quantified targets")


class DeadlineRange(BaseModel):
    """A period of days, both ends included: ``?from=2018-06-01&to=2018-06-30``."""

    model_config = ConfigDict(populate_by_name=True)

    start: dt.date = Field(
        alias="from", description="起始日期（含），ISO 格式 / first day, ISO date, e.g. 2018-06-01"
    )
    end: dt.date = Field(
        alias="to", description="截止日期（含），ISO 格式 / last day, ISO date, e.g. 2018-06-30"
    )

    @model_validator(mode="after")
    def _in_order(self) -> DeadlineRange:
        if self.start > self.end:
            raise ValueError(
                f"from ({self.start}) is after to ({self.end}) / 起始日期晚于截止日期: give from <= to"
            )
        return self


class DeadlineItem(BaseModel):
    """A dated deadline of a task."""

    date: dt.date = Field(description="日期 / date")
    as_written: str = Field(description="原文 / as written, e.g. 6月前")
    kind: str = Field(description="时限类型 / kind: ByDate, AspirationalByDate, Recurring, …")
    task: str = Field(description="任务 IRI / the task's IRI")
    task_key: str = Field(description="任务编号 / task key")
    title: str = Field(description="任务名称 / title")
    plan_id: str = Field(description="方案编号 / plan id")
    page: str = Field(description="任务页面 / the task's page")


class Deadlines(BaseModel):
    """Tasks due in a period, earliest first."""

    start: dt.date = Field(serialization_alias="from", description="起始日期 / first day")
    end: dt.date = Field(serialization_alias="to", description="截止日期 / last day")
    count: int = Field(description="条数 / number of deadlines")
    deadlines: list[DeadlineItem]


class Indicators(BaseModel):
    """Quantified targets whose metric contains the words searched for."""

    metric: str = Field(description="查询的指标名称片段 / the words searched for")
    count: int = Field(description="条数 / number of targets")
    indicators: list[IndicatorItem]
