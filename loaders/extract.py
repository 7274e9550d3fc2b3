"""The loader pipeline for one plan file: read → plan info → detect layout → rows → tasks, duties, bodies.

>>> from dutygraph.loaders.bundled import bundled_plans
>>> reading = read_plan_file(bundled_plans()[0])
>>> reading.layout, len(reading.tasks), reading.tasks[6].key
('cell-table', 69, 'jiaojiang-2020-07')
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from dutygraph.errors import PlanError
from dutygraph.kg.iris import plan_id_from_stem
from dutygraph.kg.remits import implied_agencies
from dutygraph.loaders.agency_names import NameContext
from dutygraph.loaders.bodies import read_bodies
from dutygraph.loaders.duties import read_duties
from dutygraph.loaders.layouts import detect_layout, get_layout
from dutygraph.loaders.milestones import read_milestones
from dutygraph.loaders.plan_info import annual_wording, is_one_year_plan, read_plan_info
from dutygraph.loaders.plan_targets import read_plan_targets
from dutygraph.loaders.reading import read_plan
from dutygraph.loaders.records import Jurisdiction, PlanReading, Task
from dutygraph.loaders.tasks import TaskContext, assemble_task


def key_prefix(stem: str) -> str:
    """Task keys start with the plan file's first two words: jiaojiang-2020-reform-tasks → jiaojiang-2020.

    >>> key_prefix("jiaojiang-2020-reform-tasks"), key_prefix("plan")
    ('jiaojiang-2020', 'plan')
    """
    words = [w for w in re.split(r"[-_\s]+", stem) if w]
    return "-".join(words[:2]) or "plan"


def _with_implied(task: Task, jurisdiction: Jurisdiction) -> Task:
    """A task that names no agency gets the bureaus whose remit covers it (inferred, never asserted)."""
    if task.roles:
        return task
    return replace(task, implied=implied_agencies(f"{task.title}。{task.text}", jurisdiction))


def read_plan_file(path: Path | str, *, layout: str | None = None) -> PlanReading:
    """Everything one plan file says, as records.

    :raises PlanError: the file cannot be read, or holds no tasks in a layout the loaders know.
    """
    path = Path(path)
    text = read_plan(path)
    info = read_plan_info(text.lines, path=path)
    family = get_layout(layout) if layout else detect_layout(text.lines)
    if family is None:
        raise PlanError(
            path, "no task table, numbered tasks or outline found: not a plan the loaders can read"
        )
    found = family.read(text.lines)
    if not found.tasks:
        raise PlanError(path, f"layout {family.name!r} found no tasks in this file")
    annual = None
    if is_one_year_plan(info):
        annual = found.annual_marker or annual_wording(info)
    names = NameContext.of(info.jurisdiction)
    prefix = key_prefix(path.stem)
    ctx = TaskContext(prefix, names, info.year, annual)
    tasks = tuple(_with_implied(assemble_task(raw, ctx), info.jurisdiction) for raw in found.tasks)
    return PlanReading(
        plan_id=plan_id_from_stem(path.stem),
        key_prefix=prefix,
        source_name=path.name,
        sha256=text.sha256,
        layout=family.name,
        info=info,
        tasks=tasks,
        plan_indicators=read_plan_targets(text.lines),
        duties=read_duties(text.lines, names),
        bodies=read_bodies(text.lines, names),
        milestones=read_milestones(text.lines),
    )
