"""A plan reading as the JSON document `dutygraph extract` prints (layout of tests/gold/SCHEMA.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dutygraph.loaders.jurisdictions import division_table
from dutygraph.loaders.records import (
    Agency,
    AgencyRole,
    Body,
    Deadline,
    DutyBlock,
    Indicator,
    Milestone,
    PlanReading,
    Task,
)

JsonObject = dict[str, Any]


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _role(role: AgencyRole) -> JsonObject:
    out: JsonObject = {
        "as_written": role.as_written,
        "canonical": role.agency.canonical,
        "type": role.agency.type_key,
        "role": role.role,
    }
    if role.agency.group:
        out["group"] = True
    return out


def _deadline(d: Deadline) -> JsonObject:
    return {"as_written": d.as_written, "kind": d.kind, "date": _date(d.date)}


def _indicator(i: Indicator) -> JsonObject:
    return {
        "as_written": i.as_written,
        "metric": i.metric,
        "comparator": i.comparator,
        "value": _number(i.value),
        "unit": i.unit,
        "deadline": _date(i.deadline),
    }


def _implied(agency: Agency, why: str) -> JsonObject:
    return {"canonical": agency.canonical, "type": agency.type_key, "why": why}


def _task(t: Task) -> JsonObject:
    out: JsonObject = {
        "key": t.key,
        "number": t.number,
        "section": t.section,
        "title": t.title,
        "text": t.text,
        "agencies": [_role(r) for r in t.roles],
        "deadlines": [_deadline(d) for d in t.deadlines],
        "indicators": [_indicator(i) for i in t.indicators],
        "implied_agencies": [_implied(i.agency, i.why) for i in t.implied],
        "lines": [t.lines.first, t.lines.last],
    }
    if t.open_list:
        out["open_list"] = True
    return out


def _duty(d: DutyBlock) -> JsonObject:
    return {
        "as_written": d.as_written,
        "canonical": d.agency.canonical,
        "type": d.agency.type_key,
        "duties": list(d.duties),
        "lines": [d.lines.first, d.lines.last],
    }


def _body(b: Body) -> JsonObject:
    return {
        "name": b.name,
        "kind": b.kind,
        "office": b.office,
        "office_hosted_by": b.office_hosted_by.canonical if b.office_hosted_by else None,
        "members": [m.canonical for m in b.members],
        "lines": [b.lines.first, b.lines.last],
    }


def _milestone(m: Milestone) -> JsonObject:
    return {
        "name": m.name,
        "start": _date(m.start),
        "end": _date(m.end),
        "text": m.text,
        "lines": [m.lines.first, m.lines.last],
    }


def reading_to_json(reading: PlanReading) -> JsonObject:
    """The extract document of one plan (SCHEMA.md layout, plus `lines` and `layout` for provenance)."""
    info = reading.info
    table = division_table()
    return {
        "source": reading.source_name,
        "layout": reading.layout,
        "plan": {
            "title": info.title,
            "jurisdiction": table.full_name(info.jurisdiction),
            "jurisdiction_code": info.jurisdiction.code,
            "jurisdiction_level": info.jurisdiction.level,
            "parent_jurisdictions": [table.full_name(p) for p in info.parents],
            "year": info.year,
            "issued": _date(info.issued),
            "doc_number": info.doc_number,
        },
        "plan_indicators": [_indicator(i) for i in reading.plan_indicators],
        "tasks": [_task(t) for t in reading.tasks],
        "duties": [_duty(d) for d in reading.duties],
        "bodies": [_body(b) for b in reading.bodies],
        "milestones": [_milestone(m) for m in reading.milestones],
    }
