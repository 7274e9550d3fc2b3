"""A raw task row → a `Task`: units resolved to agencies with roles, deadlines and targets parsed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dutygraph.loaders.agency_names import NameContext, is_bare_government, resolve_name
from dutygraph.loaders.deadlines import (
    dedupe,
    find_deadlines,
    has_due_date,
    read_schedule,
    section_deadline,
    year_end,
)
from dutygraph.loaders.indicators import find_indicators
from dutygraph.loaders.layouts.base import RawTask
from dutygraph.loaders.records import AgencyRole, Deadline, Task
from dutygraph.loaders.roles import read_roles


@dataclass(frozen=True)
class TaskContext:
    """What every task of one plan shares."""

    key_prefix: str  # "jiaojiang-2020"
    names: NameContext
    year: int | None
    annual_marker: (
        str | None
    )  # wording that makes a task due by the plan year's end (None: not a one-year plan)


def resolve_roles(units: str | None, names: NameContext) -> tuple[tuple[AgencyRole, ...], bool]:
    """The agencies and roles of a responsibility phrase, and whether the list is open (等).

    >>> from dutygraph.loaders.jurisdictions import division_table
    >>> names = NameContext.of(division_table().by_code("330300"))
    >>> roles, _ = resolve_roles("各县（市、区）政府、功能区管委会，市市场监管局", names)
    >>> [(r.agency.type_key, r.role) for r in roles]
    [('county-government', 'responsible'), ('market-regulation', 'responsible')]
    """
    if not units:
        return (), False
    reading = read_roles(units)
    roles: list[AgencyRole] = []
    for unit in reading.units:
        if roles and roles[-1].agency.group and is_bare_government(unit.resolvable):
            continue  # 各县（市、区）政府、功能区管委会: the 管委会 belong to the same group
        agency = resolve_name(unit.resolvable, names)
        role = AgencyRole(unit.as_written, agency, unit.role)
        if all((r.agency, r.role) != (agency, unit.role) for r in roles):
            roles.append(role)
    # A group swallowed its bare 政府 partner: a list that is now one unit keeps its lead / responsible reading.
    if len(roles) == 1 and roles[0].role == "responsible":
        roles[0] = AgencyRole(roles[0].as_written, roles[0].agency, "lead")
    return tuple(roles), reading.open_list


def task_deadlines(raw: RawTask, ctx: TaskContext) -> tuple[Deadline, ...]:
    """A schedule cell decides alone; otherwise the text, then the heading above, then the plan's year."""
    if raw.schedule:
        deadlines = read_schedule(raw.schedule, year=ctx.year)
    else:
        deadlines = find_deadlines(
            f"{raw.title}。{raw.text}" if raw.title not in raw.text else raw.text, year=ctx.year
        )
    if not has_due_date(deadlines) and raw.section_heading:
        heading = section_deadline(raw.section_heading, year=ctx.year)
        if heading is not None:
            deadlines = (*deadlines, heading)
    if not has_due_date(deadlines) and ctx.annual_marker and ctx.year is not None:
        deadlines = (*deadlines, year_end(ctx.annual_marker, ctx.year))
    return dedupe(deadlines)


def _target_date(deadlines: tuple[Deadline, ...], *, from_schedule: bool) -> dt.date | None:
    dated = [d.date for d in deadlines if d.date is not None and d.kind != "phase"]
    return dated[0] if from_schedule and len(dated) == 1 else None


def assemble_task(raw: RawTask, ctx: TaskContext) -> Task:
    roles, open_list = resolve_roles(raw.units, ctx.names)
    deadlines = task_deadlines(raw, ctx)
    indicators = find_indicators(
        raw.text, deadline_of=_target_date(deadlines, from_schedule=bool(raw.schedule))
    )
    return Task(
        key=f"{ctx.key_prefix}-{raw.key_suffix}",
        number=raw.number,
        section=raw.section,
        title=raw.title,
        text=raw.text,
        lines=raw.lines,
        roles=roles,
        deadlines=deadlines,
        indicators=indicators,
        open_list=open_list,
    )
